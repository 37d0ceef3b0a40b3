// The query page: YASGUI when it was installed from npm (served from /assets/yasgui),
// otherwise the plain form. No network beyond this server: prefix completion offers the
// site's own prefixes (never prefix.cc), labels come from this endpoint.
(function () {
  "use strict";
  var examples = JSON.parse(document.getElementById("examples").textContent);
  var site = JSON.parse(document.getElementById("site-config").textContent);
  var byKey = {};
  examples.forEach(function (example) { byKey[example.key] = example; });
  var endpoint = window.location.origin + "/sparql";
  var yasgui = null;
  var container = document.getElementById("yasgui");
  // IRI -> label, for the IRIs of the results shown (asked once each)
  var labels = {};
  var asked = {};
  var MAX_LABELS = 500;
  var PLAIN_IRI = /^[^\s<>"{}|\\^`]+$/;

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // an IRI of this site's base is one of its pages: link it here, whatever the host
  function localPath(iri) {
    return iri.indexOf(site.base) === 0 ? "/" + iri.slice(site.base.length) : null;
  }

  function shortForm(iri, prefixes) {
    for (var name in prefixes) {
      if (prefixes[name] && iri.indexOf(prefixes[name]) === 0) {
        return name + ":" + iri.slice(prefixes[name].length);
      }
    }
    return null;
  }

  // the best label of each IRI: English, then untagged, then any
  function pickLabels(bindings) {
    var score = {};
    bindings.forEach(function (row) {
      var iri = row.iri.value;
      var lang = row.label["xml:lang"] || "";
      var points = lang === "en" ? 2 : lang === "" ? 1 : 0;
      if (!(iri in score) || points > score[iri]) {
        score[iri] = points;
        labels[iri] = row.label.value;
      }
    });
  }

  function fetchLabels(iris) {
    var values = iris.map(function (iri) { return "<" + iri + ">"; }).join(" ");
    var query =
      "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" +
      "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n" +
      "SELECT ?iri ?label WHERE { VALUES ?iri { " + values + " }\n" +
      "  { ?iri skos:prefLabel ?label } UNION { ?iri rdfs:label ?label } }";
    return fetch(endpoint, {
      method: "POST",
      headers: { Accept: "application/sparql-results+json" },
      body: new URLSearchParams({ query: query }),
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) { if (answer) { pickLabels(answer.results.bindings); } })
      .catch(function () { /* no labels: the view shows IRIs */ });
  }

  function unlabelled(results) {
    var iris = [];
    var seen = {};
    (results.getBindings() || []).forEach(function (row) {
      for (var name in row) {
        var term = row[name];
        if (term.type === "uri" && !asked[term.value] && !seen[term.value] &&
            PLAIN_IRI.test(term.value) && iris.length < MAX_LABELS) {
          seen[term.value] = true;
          iris.push(term.value);
        }
      }
    });
    return iris;
  }

  // A query's error body (problem+json) as the message, where it is, and the prefix to add.
  function renderProblem(error) {
    var problem;
    try { problem = JSON.parse(error.text); } catch (e) { return Promise.resolve(undefined); }
    if (!problem || typeof problem.detail !== "string") { return Promise.resolve(undefined); }
    var box = document.createElement("div");
    box.className = "query-problem";
    var title = document.createElement("p");
    title.className = "problem-title";
    title.textContent = problem.status + " " + problem.title;
    var detail = document.createElement("p");
    detail.className = "problem-detail";
    detail.textContent = problem.detail;
    box.appendChild(title);
    box.appendChild(detail);
    var yasqe = yasgui && yasgui.getTab() ? yasgui.getTab().getYasqe() : null;
    if (problem.line && problem.column) {
      var where = document.createElement("p");
      where.className = "problem-where";
      where.textContent = "Line " + problem.line + ", column " + problem.column;
      box.appendChild(where);
      if (yasqe && problem.line <= yasqe.lineCount()) {
        var text = yasqe.getLine(problem.line - 1);
        var excerpt = document.createElement("pre");
        excerpt.className = "problem-line";
        excerpt.textContent = text + "\n" + " ".repeat(Math.max(problem.column - 1, 0)) + "^";
        box.appendChild(excerpt);
        var marked = yasqe.addLineClass(problem.line - 1, "background", "query-error-line");
        yasqe.on("change", function clear() {
          yasqe.removeLineClass(marked, "background", "query-error-line");
          yasqe.off("change", clear);
        });
      }
    }
    if (problem.prefix && site.prefixes[problem.prefix] && yasqe) {
      var add = document.createElement("button");
      add.type = "button";
      add.className = "add-prefix";
      add.textContent = "Add " + problem.declaration;
      add.addEventListener("click", function () {
        var prefix = {};
        prefix[problem.prefix] = site.prefixes[problem.prefix];
        yasqe.addPrefixes(prefix);
        add.disabled = true;
      });
      box.appendChild(add);
    }
    return Promise.resolve(box);
  }

  function siteTable(Table) {
    // YASR's table, with the site's pages linked here and the simple view on by default:
    // labels instead of IRIs, values instead of typed literals
    return class SiteTable extends Table {
      constructor(yasr) {
        super(yasr);
        this.persistentConfig.compact = true;
      }

      getUriLinkFromBinding(binding, prefixes) {
        var iri = binding.value;
        var simple = this.persistentConfig.compact === true;
        var shown = (simple && labels[iri]) || shortForm(iri, prefixes || {}) || iri;
        var brackets = shown === iri && !simple;
        var local = localPath(iri);
        var html;
        if (local) {
          html = '<a class="iri local" href="' + escapeHtml(local) + '"';
        } else if (/^https?:\/\//i.test(iri)) {
          html = '<a class="iri" target="_blank" rel="noopener noreferrer" href="' +
            escapeHtml(iri) + '"';
        } else {
          html = '<span class="iri" title="' + escapeHtml(iri) + '">' + escapeHtml(shown) + "</span>";
          return (brackets ? "&lt;" : "") + html + (brackets ? "&gt;" : "");
        }
        html += ' title="' + escapeHtml(iri) + '">' + escapeHtml(shown) + "</a>";
        return (brackets ? "&lt;" : "") + html + (brackets ? "&gt;" : "");
      }

      draw(persistentConfig) {
        super.draw(persistentConfig);
        var results = this.yasr.results;
        if (this.persistentConfig.compact !== true || !results || !results.getBindings) { return; }
        var iris = unlabelled(results);
        if (!iris.length) { return; }
        iris.forEach(function (iri) { asked[iri] = true; });
        var table = this;
        fetchLabels(iris).then(function () {
          if (table.yasr.results === results && table.persistentConfig.compact === true) {
            table.draw(table.persistentConfig);
          }
        });
      }
    };
  }

  if (container && window.Yasgui) {
    var Yasqe = window.Yasgui.Yasqe;
    var Yasr = window.Yasgui.Yasr;
    // completion of PREFIX lines, and auto-declaration of a prefix as it is typed, from the
    // site's prefixes; only the variable completer besides (the others call remote APIs)
    var declarations = Object.keys(site.prefixes).sort().map(function (name) {
      return name + ": <" + site.prefixes[name] + ">";
    });
    Yasqe.defaults.autocompleters = ["variables"];
    Yasqe.forkAutocompleter("prefixes", {
      name: "site-prefixes",
      get: function () { return declarations; },
      persistenceId: null,
    });
    Yasr.plugins.table = siteTable(Yasr.plugins.table);
    Yasr.defaults.errorRenderers = [renderProblem];  // YASGUI's tabs read YASR's defaults
    yasgui = new window.Yasgui(container, {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: false,
      persistenceId: null,
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
      yasqe: { value: examples[0].query },
      yasr: { prefixes: site.prefixes },
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
