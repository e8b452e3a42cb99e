// Snarf report: sortable tables without a server. Static code only: the data stays in the
// escaped HTML of the page; this script reads cell text (or a data-v attribute) and reorders
// rows. Loaded as a file so the page's Content-Security-Policy can forbid inline scripts.
'use strict';
(function () {
  function value(cell, numeric) {
    var raw = cell.getAttribute('data-v');
    var text = raw !== null ? raw : cell.textContent.trim();
    if (!numeric) return text.toLowerCase();
    var n = parseFloat(text.replace(/,/g, ''));
    return isNaN(n) ? -Infinity : n;
  }
  function sortBy(table, th, index) {
    var numeric = th.getAttribute('data-type') === 'num';
    var asc = th.getAttribute('aria-sort') !== 'ascending';
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) heads[i].removeAttribute('aria-sort');
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a.cells[index], numeric);
      var y = value(b.cells[index], numeric);
      var c = x < y ? -1 : x > y ? 1 : 0;
      return asc ? c : -c;
    });
    for (var k = 0; k < rows.length; k++) body.appendChild(rows[k]);
  }
  function init() {
    var tables = document.querySelectorAll('table.sortable');
    for (var t = 0; t < tables.length; t++) {
      (function (table) {
        if (!table.tHead || !table.tBodies[0]) return;
        var heads = table.tHead.rows[0].cells;
        for (var i = 0; i < heads.length; i++) {
          (function (th, index) {
            th.tabIndex = 0;
            th.addEventListener('click', function () { sortBy(table, th, index); });
            th.addEventListener('keydown', function (e) { if (e.key === 'Enter') sortBy(table, th, index); });
          })(heads[i], i);
        }
      })(tables[t]);
    }
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
