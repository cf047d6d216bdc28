/* A select marked data-typeahead becomes a field to type into: the desk types a category's
   code, its name or the pinyin initials of its name (sl for 渗漏), and picks from the matches
   with the arrows and Enter. The most frequent categories of the form's estate come first.
   The select stays in the form, hidden, and carries the choice; without this script it is
   used as it is. */
(function () {
  "use strict";

  function plain(text) {
    return (text || "").toLowerCase().replace(/\s+/g, "");
  }

  // "HY:1 CH:3": the option's rank among each estate's most frequent, or null where the page
  // gives none (a desk of one estate, whose order is the one drawn).
  function estateRanksOf(option) {
    var text = option.getAttribute("data-estate-ranks");
    if (text === null) {
      return null;
    }
    var ranks = {};
    text.split(" ").filter(Boolean).forEach(function (pair) {
      var parts = pair.split(":");
      ranks[parts[0]] = Number(parts[1]);
    });
    return ranks;
  }

  function optionsOf(select) {
    var list = [];
    Array.prototype.forEach.call(select.options, function (option, index) {
      if (!option.value) {
        return;
      }
      list.push({
        value: option.value,
        label: option.textContent.trim(),
        group: option.getAttribute("data-group") || "",
        initials: (option.getAttribute("data-initials") || "").split(" ").filter(Boolean),
        rank: Number(option.getAttribute("data-rank") || 0),
        estateRanks: estateRanksOf(option),
        severity: option.getAttribute("data-severity") || "",
        index: index
      });
    });
    return list;
  }

  // How well an option matches what was typed: 2 when its code, its name or its initials
  // start with it, 1 when its name only contains it, 0 when it does not match.
  function closeness(option, typed) {
    if (!typed) {
      return 2;
    }
    var label = plain(option.label);
    var starts =
      option.value.toLowerCase().indexOf(typed) === 0 ||
      label.indexOf(typed) === 0 ||
      option.initials.some(function (initials) {
        return initials.indexOf(typed) === 0;
      });
    return starts ? 2 : label.indexOf(typed) >= 0 ? 1 : 0;
  }

  // The closest first; among them the estate's most frequent, by their rank; the rest in the
  // select's order.
  function byFrequency(a, b) {
    if (a.closeness !== b.closeness) {
      return b.closeness - a.closeness;
    }
    if (a.rank && b.rank) {
      return a.rank - b.rank;
    }
    if (a.rank || b.rank) {
      return a.rank ? -1 : 1;
    }
    return a.index - b.index;
  }

  function enhance(select) {
    var id = select.id;
    var wrapper = document.createElement("div");
    wrapper.className = "desk-typeahead";
    var input = document.createElement("input");
    input.type = "text";
    input.id = id + "_typed";
    input.className = "form-control";
    input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id + "_matches");
    input.setAttribute("aria-describedby", id + "_suggested");
    input.placeholder = select.getAttribute("data-placeholder") || "";
    var list = document.createElement("ul");
    list.id = id + "_matches";
    list.className = "list-group desk-typeahead-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var hint = document.createElement("div");
    hint.id = id + "_suggested";
    hint.className = "form-text";
    hint.setAttribute("aria-live", "polite");
    wrapper.appendChild(input);
    wrapper.appendChild(list);
    select.parentNode.insertBefore(wrapper, select);
    wrapper.parentNode.insertBefore(hint, wrapper.nextSibling);

    var label = document.querySelector("label[for='" + id + "']");
    if (label) {
      label.htmlFor = input.id;
    }
    if (select.classList.contains("is-invalid")) {
      select.classList.remove("is-invalid");
      input.classList.add("is-invalid");
      var feedback = select.parentNode.querySelector(".invalid-feedback");
      if (feedback) {
        feedback.classList.add("d-block");
      }
    }
    select.classList.add("d-none");
    select.tabIndex = -1;
    select.setAttribute("aria-hidden", "true");

    var options = optionsOf(select);
    var shown = [];
    var active = -1;

    function chosen() {
      return options.filter(function (option) {
        return option.value === select.value;
      })[0];
    }

    function hintShow() {
      var option = chosen();
      var text = select.getAttribute("data-suggested") || "%(severity)s";
      hint.textContent = option
        ? (option.group ? option.group + " · " : "") + text.replace("%(severity)s", option.severity)
        : "";
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function activate(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (item, n) {
        var on = n === index;
        item.classList.toggle("active", on);
        item.setAttribute("aria-selected", on ? "true" : "false");
        if (on) {
          input.setAttribute("aria-activedescendant", item.id);
          item.scrollIntoView({ block: "nearest" });
        }
      });
    }

    function open(typed) {
      options.forEach(function (option) {
        option.closeness = closeness(option, typed);
      });
      shown = options.filter(function (option) {
        return option.closeness > 0;
      });
      shown.sort(byFrequency);
      list.textContent = "";
      shown.forEach(function (option, n) {
        var item = document.createElement("li");
        item.id = id + "_match_" + n;
        item.className = "list-group-item list-group-item-action";
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = option.label;
        if (option.group) {
          var group = document.createElement("span");
          group.className = "text-body-secondary small ms-2";
          group.textContent = option.group;
          item.appendChild(group);
        }
        var code = document.createElement("span");
        code.className = "text-body-secondary small float-end";
        code.textContent = option.value + " · " + option.severity;
        item.appendChild(code);
        item.addEventListener("mousedown", function (event) {
          // Keep the focus in the field: the choice is made on the click.
          event.preventDefault();
        });
        item.addEventListener("click", function () {
          choose(option);
        });
        list.appendChild(item);
      });
      if (!shown.length) {
        var none = document.createElement("li");
        none.className = "list-group-item text-body-secondary";
        none.textContent = select.getAttribute("data-no-match") || "—";
        list.appendChild(none);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      activate(typed && shown.length ? 0 : -1);
    }

    function choose(option) {
      select.value = option.value;
      input.value = option.label;
      close();
      hintShow();
      // As the select's own change would: the repeat and incident checks listen for it.
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function restore() {
      var option = chosen();
      input.value = option ? option.label : "";
    }

    // A desk of several estates: the most frequent first are those of the estate on the form,
    // whether the desk chose it or picked a unit of another estate (the location picker is
    // redrawn then, and says so with "location-changed"). With no estate the order stays.
    function followEstate() {
      var field = select.form && select.form.elements.namedItem("estate");
      var estate = field && field.value;
      if (!estate) {
        return;
      }
      options.forEach(function (option) {
        if (option.estateRanks) {
          option.rank = option.estateRanks[estate] || 0;
        }
      });
    }
    if (select.form) {
      select.form.addEventListener("change", followEstate);
    }
    document.addEventListener("location-changed", followEstate);

    input.addEventListener("input", function () {
      open(plain(input.value));
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.altKey) {
        // Ctrl+Enter (⌘+Enter) saves the form (desk.js, listening on the document, after this
        // field): the highlighted match is taken first, as Enter or Tab would take it.
        if (!list.hidden && active >= 0) {
          choose(shown[active]);
        }
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey) {
        return;
      }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) {
          open(plain(input.value === (chosen() || {}).label ? "" : input.value));
        }
        var step = event.key === "ArrowDown" ? 1 : -1;
        activate(Math.max(0, Math.min(shown.length - 1, active + step)));
      } else if (event.key === "Enter") {
        // Enter picks; it never sends the half-filled form.
        event.preventDefault();
        if (!list.hidden && active >= 0) {
          choose(shown[active]);
        }
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
        restore();
      }
    });
    // Leaving the field (Tab, or a click elsewhere) with a match highlighted takes it, as
    // Enter would: what the desk typed is never dropped for the earlier choice.
    input.addEventListener("blur", function () {
      if (!list.hidden && active >= 0) {
        choose(shown[active]);
        return;
      }
      close();
      restore();
    });

    restore();
    hintShow();
  }

  document.querySelectorAll("select[data-typeahead]").forEach(enhance);
})();
