/* The complaint desk's small behaviours. Loaded as a file: the Content-Security-Policy forbids
   inline scripts, and htmx runs with allowEval off. */
(function () {
  "use strict";

  document.documentElement.classList.add("desk-js");

  function lookupResults() {
    return Array.prototype.slice.call(
      document.querySelectorAll("#lookup-results .list-group-item")
    );
  }

  // In the resident search, Enter must not submit the half-typed complaint; it, and the down
  // arrow, move to the first match instead. Up and down then walk the matches.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-lookup]")) {
      if (event.key === "Enter" || event.key === "ArrowDown") {
        event.preventDefault();
        var first = lookupResults()[0];
        if (first) {
          first.focus();
        }
      }
      return;
    }
    if (target.closest && target.closest("#lookup-results")) {
      var items = lookupResults();
      var index = items.indexOf(target);
      if (index < 0) {
        return;
      }
      if (event.key === "ArrowDown" && index + 1 < items.length) {
        event.preventDefault();
        items[index + 1].focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        (index > 0 ? items[index - 1] : document.querySelector("[data-lookup]")).focus();
      }
    }
  });

  // After a resident or unit is picked, carry on with the next field of the call.
  document.addEventListener("htmx:afterSettle", function (event) {
    var source = event.detail && event.detail.requestConfig && event.detail.requestConfig.elt;
    var next = source && source.getAttribute && source.getAttribute("data-focus-after");
    if (next) {
      // A select made a type-ahead (typeahead.js) is typed into its "_typed" field.
      var field = document.getElementById(next + "_typed") || document.getElementById(next);
      if (field) {
        field.focus();
      }
    }
  });

  // A panel marked data-appears-while-typing (a repeat warning, the unit's history, the
  // incidents over the unit) fills in while the desk types elsewhere: its links and choices
  // stay clickable but take no tab stop, so that Tab still goes where the desk expects.
  document.addEventListener("htmx:afterSwap", function (event) {
    var panel = event.detail && event.detail.target;
    if (!panel || !panel.closest || !panel.closest("[data-appears-while-typing]")) {
      return;
    }
    panel.querySelectorAll("a[href], button, input, select, textarea").forEach(function (el) {
      el.tabIndex = -1;
    });
  });

  // An acknowledge form opened in its queue card: the supervisor goes on in its first field.
  document.addEventListener("htmx:afterSwap", function (event) {
    var slot = event.detail && event.detail.target;
    if (slot && slot.hasAttribute && slot.hasAttribute("data-form-slot")) {
      var first = slot.querySelector("input:not([type=hidden]), select");
      if (first) {
        first.focus();
      }
    }
  });

  // Intake's incidents panel: Alt+L, from anywhere on the page, links the complaint to the
  // first incident offered (the chosen category's), and unlinks it when pressed again. The
  // line under the choices says which it is now, however it was chosen.
  function incidentStatusShow() {
    var status = document.querySelector("[data-incident-status]");
    var checked = document.querySelector("input[name=incident]:checked");
    if (status && checked) {
      status.textContent = checked.getAttribute("data-status");
    }
  }

  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey || event.code !== "KeyL") {
      return;
    }
    var first = document.querySelector("[data-incident-key]");
    var none = document.getElementById("incident-none");
    if (!first || !none) {
      return;
    }
    event.preventDefault();
    var chosen = first.checked ? none : first;
    chosen.checked = true;
    // As a click would: the repeat check listens for the form's changes.
    chosen.dispatchEvent(new Event("change", { bubbles: true }));
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[name=incident]")) {
      incidentStatusShow();
    }
  });

  // The received days of a list marked data-period-or-dates are a quick pick (today) or dates,
  // whichever the desk chose last: choosing one clears the other, so that the form does not
  // send both (the server would use the dates and say so).
  function periodOrDates(event) {
    var field = event.target;
    var group = field.closest && field.closest("[data-period-or-dates]");
    if (!group || !field.value || !field.name) {
      return;
    }
    var other = field.name === "period" ? "input[type=date]" : "select[name=period]";
    group.querySelectorAll(other).forEach(function (each) {
      each.value = "";
    });
  }
  document.addEventListener("input", periodOrDates);
  document.addEventListener("change", periodOrDates);

  // Ctrl+Enter (⌘+Enter on a Mac) saves a form marked data-save-shortcut from any of its
  // fields, as its submit button would: the desk keeps its hands on the keyboard.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || event.altKey) {
      return;
    }
    var form = event.target.closest && event.target.closest("form[data-save-shortcut]");
    if (!form) {
      return;
    }
    event.preventDefault();
    form.requestSubmit();
  });

  // A form marked data-submit-once is sent once: while it is in flight its submit buttons are
  // disabled and a second submission (a double click, Enter pressed twice) is dropped.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-submit-once]")) {
      return;
    }
    if (form.hasAttribute("data-submitting")) {
      event.preventDefault();
      return;
    }
    if (event.defaultPrevented) {
      return;
    }
    form.setAttribute("data-submitting", "");
    form.setAttribute("aria-busy", "true");
    // After this event, so that the submission itself still goes out.
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) {
        b.disabled = true;
      });
    }, 0);
  });

  // Back to a page the browser kept (the back button): the form can be sent again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) {
      return;
    }
    document.querySelectorAll("form[data-submitting]").forEach(function (form) {
      form.removeAttribute("data-submitting");
      form.removeAttribute("aria-busy");
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) {
        b.disabled = false;
      });
    });
  });

  // A "Print" button (the receipt): the browser's print dialogue, as no inline script may open it.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-desk-print]")) {
      window.print();
    }
  });

  // A form sent back with errors: put the cursor on the first field to correct.
  document.addEventListener("DOMContentLoaded", function () {
    var invalid = document.querySelector("form .is-invalid");
    if (invalid) {
      var details = invalid.closest("details");
      if (details) {
        details.open = true;
      }
      invalid.focus();
    }
  });
})();
