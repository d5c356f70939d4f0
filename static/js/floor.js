// The admin's floor page: rows arrive as HTML over the floor socket and replace the
// table's row by its id. Reconnects with backoff; the server sends every row on connect.
(function () {
  var board = document.getElementById("floor");
  if (!board) return;
  var status = document.getElementById("floor-status");
  var body = board.querySelector("tbody");
  var delay = 1000;

  function say(text, live) {
    if (!status) return;
    status.textContent = text;
    status.className = "floor-status" + (live ? " live" : "");
  }

  function apply(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    Array.prototype.slice.call(template.content.children).forEach(function (row) {
      var old = row.id && document.getElementById(row.id);
      if (old) old.replaceWith(row);
      else body.appendChild(row);
    });
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + board.dataset.socket);
    socket.onopen = function () { delay = 1000; say("Live: updates as diners and the POS act", true); };
    socket.onmessage = function (event) { apply(event.data); };
    socket.onclose = function (event) {
      if (event.code === 4403) { say("Not allowed to follow this floor: log in again", false); return; }
      say("Connection lost: reconnecting…", false);
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 15000);
    };
  }
  connect();
})();
