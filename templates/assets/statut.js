// Optional, first-party: keeps time-dependent statuses true between two builds, and turns
// the read-only address field into a one-click copy. Without JavaScript, the statuses
// computed at build time stay, with their "as of" date.
(function () {
  "use strict";
  var zone = "Europe/Paris";
  function today() {
    var parts = new Intl.DateTimeFormat("fr-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(new Date());
    var get = function (type) { return parts.filter(function (p) { return p.type === type; })[0].value; };
    return get("year") + "-" + get("month") + "-" + get("day");
  }
  // Per kind: [label, class modifier] before, during and after the dates.
  var STATUSES = {
    evenement: [["À venir", "a-venir"], ["En cours", "en-cours"], ["Passé", "passe"]],
    campagne: [["Campagne à venir", "a-venir"], ["Campagne ouverte", "ouverte"], ["Campagne clôturée", "cloturee"]]
  };
  var day = today();
  document.querySelectorAll("[data-genre][data-debut][data-fin]").forEach(function (el) {
    var statuses = STATUSES[el.getAttribute("data-genre")];
    if (!statuses) { return; }
    var index = day < el.getAttribute("data-debut") ? 0 : (day <= el.getAttribute("data-fin") ? 1 : 2);
    el.textContent = statuses[index][0];
    el.className = el.className.replace(/\bstatut--[a-z-]+/, "statut--" + statuses[index][1]);
  });
  var shown = new Intl.DateTimeFormat("fr-FR", { timeZone: zone, day: "numeric", month: "long", year: "numeric" }).format(new Date());
  document.querySelectorAll(".date-reference").forEach(function (el) {
    el.textContent = "Statuts établis au " + shown.replace(/^1 /, "1er ") + ".";
  });
  document.querySelectorAll("[data-copie]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copie"));
    var message = document.querySelector(".copie__message");
    if (!field || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        if (message) { message.textContent = "Adresse copiée."; }
      }, function () {
        field.select();
      });
    });
  });
}());
