// Pickers that search (pmm_portal.core.widgets.TypeaheadSelect, TypeaheadSelectMultiple): Tom Select over a JSON endpoint.
(function () {
  "use strict";

  function attach(select) {
    if (select.tomselect || typeof TomSelect === "undefined") return;
    const url = select.dataset.typeahead;
    new TomSelect(select, {
      plugins: ["remove_button"],
      maxItems: select.multiple ? null : 1,
      valueField: "value",
      labelField: "text",
      searchField: ["text", "meta"],
      placeholder: select.dataset.placeholder || "",
      maxOptions: 20,
      preload: "focus",
      loadThrottle: 250,
      closeAfterSelect: true,
      load: function (query, callback) {
        fetch(url + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) { callback(data.results); })
          .catch(function () { callback(); });
      },
      render: {
        option: function (item, escape) {
          const meta = item.meta ? '<div class="small text-body-secondary">' + escape(item.meta) + "</div>" : "";
          return "<div>" + escape(item.text) + meta + "</div>";
        },
        no_results: function () {
          return '<div class="no-results">Nothing matches: try another word.</div>';
        },
      },
    });
  }

  function attachAll(root) {
    root.querySelectorAll("select[data-typeahead]").forEach(attach);
  }

  document.addEventListener("DOMContentLoaded", function () { attachAll(document); });
  document.addEventListener("htmx:load", function (event) { attachAll(event.target); });
})();
