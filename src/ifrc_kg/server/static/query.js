// The query page: YASGUI when it was installed from npm (served from /assets/yasgui),
// otherwise the plain form. No network beyond this server.
(function () {
  "use strict";
  var examples = JSON.parse(document.getElementById("examples").textContent);
  var byKey = {};
  examples.forEach(function (example) { byKey[example.key] = example; });
  var endpoint = window.location.origin + "/sparql";
  var yasgui = null;
  var container = document.getElementById("yasgui");

  if (container && window.Yasgui) {
    // keep the editor offline: only the variable autocompleter (others call remote APIs)
    window.Yasgui.Yasqe.defaults.autocompleters = ["variables"];
    yasgui = new window.Yasgui(container, {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: false,
      persistenceId: null,
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
      yasqe: { value: examples[0].query },
    });
    yasgui.getTab().setQuery(examples[0].query);
  } else {
    var form = document.getElementById("plain-query");
    if (form) { form.hidden = false; }
  }

  document.querySelectorAll("button.example").forEach(function (button) {
    button.addEventListener("click", function () {
      var example = byKey[button.dataset.key];
      if (yasgui) {
        var tab = yasgui.getTab();
        tab.setQuery(example.query);
        tab.query();
      } else {
        document.getElementById("query-text").value = example.query;
      }
    });
  });
})();
