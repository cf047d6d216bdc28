/* The weekly summary's charts. The figures come from the page's JSON block (json_script), which
   the Content-Security-Policy allows because it is data, never executed. */
(function () {
  "use strict";

  var COLOURS = ["#0d6efd", "#198754", "#dc3545"];
  // The size of each chart's box on paper, as print.css sets it. The browser lays out the
  // printed page only after "beforeprint", so the charts are drawn at this size then, not at
  // the size their boxes have on the screen.
  var PRINT_BOX_MM = { width: 106, height: 48 };
  var PX_PER_MM = 96 / 25.4;

  function datasets(series, line, partial) {
    return series.map(function (item, index) {
      var colour = COLOURS[index % COLOURS.length];
      var dataset = {
        label: item.label,
        data: item.data,
        backgroundColor: colour,
        borderColor: colour,
        borderWidth: line ? 2 : 0,
        tension: 0.2,
      };
      if (line && partial !== null && partial !== undefined) {
        // The week in progress: the line into it dashed, its points hollow.
        dataset.segment = {
          borderDash: function (context) {
            return context.p1DataIndex === partial ? [6, 4] : undefined;
          },
        };
        dataset.pointBackgroundColor = item.data.map(function (value, at) {
          return at === partial ? "#fff" : colour;
        });
        dataset.pointRadius = item.data.map(function (value, at) {
          return at === partial ? 4 : 3;
        });
      }
      return dataset;
    });
  }

  function draw(id, type, chart) {
    var canvas = document.getElementById(id);
    if (!canvas || typeof window.Chart === "undefined") {
      return null;
    }
    // Bars run across, so that the categories' names read level beside them.
    var across = type === "bar";
    var counts = { beginAtZero: true, ticks: { precision: 0 } };
    // Every category named, however short the box on paper.
    var names = { ticks: { autoSkip: false } };
    return new window.Chart(canvas, {
      type: type,
      data: {
        labels: chart.labels,
        datasets: datasets(chart.series, type === "line", chart.partial),
      },
      options: {
        indexAxis: across ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        // Sharp on paper as well as on the screen.
        devicePixelRatio: Math.max(window.devicePixelRatio || 1, 2),
        scales: across ? { x: counts, y: names } : { y: counts },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
      },
    });
  }

  function start() {
    var source = document.getElementById("weekly-data");
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var charts = [
      draw("weekly-by-category", "bar", data.byCategory),
      draw("weekly-trend", "line", data.trend),
    ].filter(Boolean);

    window.addEventListener("beforeprint", function () {
      charts.forEach(function (chart) {
        chart.resize(PRINT_BOX_MM.width * PX_PER_MM, PRINT_BOX_MM.height * PX_PER_MM);
      });
    });
    window.addEventListener("afterprint", function () {
      charts.forEach(function (chart) {
        chart.resize();
      });
    });

    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
