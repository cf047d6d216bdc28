/* The weekly summary's charts. The figures come from the page's JSON block (json_script), which
   the Content-Security-Policy allows because it is data, never executed. */
(function () {
  "use strict";

  var COLOURS = ["#0d6efd", "#198754", "#dc3545"];

  function datasets(series, line) {
    return series.map(function (item, index) {
      return {
        label: item.label,
        data: item.data,
        backgroundColor: COLOURS[index % COLOURS.length],
        borderColor: COLOURS[index % COLOURS.length],
        borderWidth: line ? 2 : 0,
        tension: 0.2,
      };
    });
  }

  function draw(id, type, chart) {
    var canvas = document.getElementById(id);
    if (!canvas || typeof window.Chart === "undefined") {
      return null;
    }
    return new window.Chart(canvas, {
      type: type,
      data: { labels: chart.labels, datasets: datasets(chart.series, type === "line") },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } },
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

    // Printing changes the boxes' size; redraw the charts to fit the page, and back after.
    function resize() {
      charts.forEach(function (chart) {
        chart.resize();
      });
    }
    window.addEventListener("beforeprint", resize);
    window.addEventListener("afterprint", resize);

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
