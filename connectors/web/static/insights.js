// The insights dashboard: charts are PNGs drawn on the server; alerts and quotes are read
// from the JSON endpoints and written with textContent only (review text is never HTML).
(function () {
  "use strict";
  var days = new URLSearchParams(window.location.search).get("days") || "30";
  document.getElementById("range").textContent = "last " + days + " days";

  document.querySelectorAll("img[data-chart]").forEach(function (img) {
    img.src = "/agent/insights/charts/" + img.dataset.chart + ".png?days=" + encodeURIComponent(days);
  });

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function percent(value) { return Math.round(value * 100) + "%"; }

  fetch("/agent/insights/api/alerts", { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var box = document.getElementById("alerts");
      box.textContent = "";
      if (!data.alerts || !data.alerts.length) { box.appendChild(element("p", "No alerts.", "empty")); return; }
      data.alerts.forEach(function (alert) {
        var item = element("div", undefined, "alert" + (alert.closed_day ? " closed" : ""));
        var what = alert.product_id === "*" ? "the whole store" : (alert.title || alert.product_id);
        var aspect = alert.aspect === "*" ? "" : " (" + alert.aspect + ")";
        item.appendChild(element("strong", alert.day + ": " + what + aspect));
        item.appendChild(element("div", percent(alert.window_share) + " negative of " + alert.window_total +
          " reviews, usually " + percent(alert.baseline_share) + (alert.closed_day ? "; over on " + alert.closed_day : "; open")));
        (alert.examples || []).forEach(function (example) { item.appendChild(element("blockquote", example.text)); });
        box.appendChild(item);
      });
    });

  fetch("/agent/insights/api/negatives?days=" + encodeURIComponent(days), { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var box = document.getElementById("quotes");
      (data.products || []).slice(0, 3).forEach(function (row) {
        box.appendChild(element("h3", (row.title || row.name) + ": " + row.negative + " negative of " + row.total));
        (row.examples || []).forEach(function (quote) { box.appendChild(element("blockquote", quote)); });
      });
    });
})();
