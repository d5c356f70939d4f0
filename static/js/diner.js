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
// The basket comes both as the answer to the diner's own request and pushed when a batch
// moves; when the two cross on the way, keep the one read last (data-read-at).
(function () {
  function readAt(html) {
    var found = /data-read-at="(\d+)"/.exec(html || "");
    return found ? Number(found[1]) : 0;
  }
  function shown() {
    var basket = document.getElementById("basket");
    return basket ? Number(basket.getAttribute("data-read-at") || 0) : 0;
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "basket" && readAt(event.detail.serverResponse) < shown()) {
      event.detail.shouldSwap = false;
    }
  });
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var incoming = event.detail.fragment && event.detail.fragment.firstElementChild;
    if (incoming && incoming.id === "basket" && readAt(incoming.outerHTML) < shown()) {
      event.detail.shouldSwap = false;
    }
  });
})();
// The order note sits in the basket, above Send; the basket is swapped whole (an answer, a
// push). Text typed and not yet saved survives a swap that did not change the saved note.
(function () {
  var typed = null;
  document.addEventListener("htmx:beforeSwap", remember);
  document.addEventListener("htmx:oobBeforeSwap", remember);
  function remember() {
    var note = document.getElementById("order-note");
    typed = note && note.value !== note.defaultValue
      ? { value: note.value, saved: note.defaultValue, focused: document.activeElement === note }
      : null;
  }
  function restore() {
    var note = document.getElementById("order-note");
    if (!typed || !note || note.value === typed.value) return;
    if (note.defaultValue === typed.saved) {
      note.value = typed.value;
      if (typed.focused) note.focus();
    }
    typed = null;
  }
  document.addEventListener("htmx:afterSwap", restore);
  document.addEventListener("htmx:oobAfterSwap", restore);
})();
