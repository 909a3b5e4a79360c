// Sorting and paging for long tables (class "sortable", data-page-size="N"). No library,
// no network: click a heading to sort (again to reverse); pages of N rows with buttons.
(function () {
  "use strict";
  function cellText(row, i) {
    var c = row.cells[i];
    return c ? c.textContent.trim() : "";
  }
  function compare(a, b) {
    var number = /^-?\d+(?:\.\d+)?$/;
    if (number.test(a) && number.test(b)) { return parseFloat(a) - parseFloat(b); }
    return a.localeCompare(b, "ja", { numeric: true });
  }
  function setup(table) {
    var body = table.tBodies[0];
    if (!body) { return; }
    var size = parseInt(table.getAttribute("data-page-size") || "0", 10);
    var page = 0;
    var pager = null;
    function rows() { return Array.prototype.slice.call(body.rows); }
    function show() {
      if (!size) { return; }
      var all = rows(), pages = Math.max(1, Math.ceil(all.length / size));
      if (page >= pages) { page = pages - 1; }
      all.forEach(function (r, i) { r.hidden = Math.floor(i / size) !== page; });
      if (all.length <= size) { if (pager) { pager.hidden = true; } return; }
      if (!pager) {
        pager = document.createElement("div");
        pager.className = "pager";
        table.parentNode.insertBefore(pager, table.nextSibling);
      }
      pager.hidden = false;
      pager.innerHTML = "";
      var info = document.createElement("span");
      info.textContent = (page * size + 1) + "–" + Math.min(all.length, (page + 1) * size) + " 件目 / " + all.length + " 件";
      function button(label, target, disabled) {
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = label;
        b.disabled = disabled;
        b.addEventListener("click", function () { page = target; show(); });
        pager.appendChild(b);
      }
      button("« 前へ", page - 1, page === 0);
      pager.appendChild(info);
      button("次へ »", page + 1, page >= pages - 1);
    }
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, i) {
      th.classList.add("sort");
      th.title = "クリックで並べ替え";
      th.addEventListener("click", function () {
        var up = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        var sorted = rows().sort(function (a, b) {
          var d = compare(cellText(a, i), cellText(b, i));
          return up ? d : -d;
        });
        sorted.forEach(function (r) { body.appendChild(r); });
        page = 0;
        show();
      });
    });
    show();
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), setup);
})();
