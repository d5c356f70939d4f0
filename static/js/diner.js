// Tell the diner when the live connection to their table drops; htmx's ws extension
// reconnects by itself with backoff, and the server sends the current check on reconnect.
(function () {
  function status(hidden) {
    var el = document.getElementById("connection-status");
    if (el) el.hidden = hidden;
  }
  document.addEventListener("htmx:wsOpen", function () { status(true); });
  document.addEventListener("htmx:wsClose", function () { status(false); });
  document.addEventListener("htmx:wsError", function () { status(false); });
  // Notes fade after a few seconds; keep at most three on screen.
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var box = document.getElementById("notices");
    if (!box || event.detail.target !== box) return;
    while (box.children.length > 3) box.removeChild(box.firstElementChild);
    var note = box.lastElementChild;
    if (note) setTimeout(function () { if (note.parentNode) note.remove(); }, 6000);
  });
})();
