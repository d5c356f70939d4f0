// Tell the diner when the live connection to their table drops; htmx's ws extension
// reconnects by itself with backoff, and the server sends the current check on reconnect
// (the basket and menu pages read their parts again themselves: below).
(function () {
  function status(hidden) {
    var el = document.getElementById("connection-status");
    if (el) el.hidden = hidden;
    document.body.setAttribute("data-live", hidden ? "open" : "closed");  // for the browser tests
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
// A batch the POS accepted comes as its head alone (ordering/_batch_head.html). A yes is
// final, so when it reaches the phone before the basket that lists the batch (the Send's
// answer), or a basket read before it is swapped in after it, the head is put back.
(function () {
  var accepted = {};  // head id -> its HTML
  function putBack() {
    Object.keys(accepted).forEach(function (id) {
      var head = document.getElementById(id);
      if (head && head.getAttribute("data-state") !== "accepted") head.outerHTML = accepted[id];
    });
  }
  document.addEventListener("htmx:wsAfterMessage", function (event) {
    if (event.detail.message.indexOf('class="batch-head"') === -1) return;  // most pushes
    var parsed = document.createElement("template");
    parsed.innerHTML = event.detail.message;
    parsed.content.querySelectorAll('.batch-head[data-state="accepted"]').forEach(function (head) {
      head.removeAttribute("hx-swap-oob");
      accepted[head.id] = head.outerHTML;
    });
    putBack();
  });
  document.addEventListener("htmx:afterSwap", putBack);
  document.addEventListener("htmx:oobAfterSwap", putBack);
})();
// A phone back from a dropped connection missed what was pushed while it was away (a batch
// accepted or turned down, a dish sold out): the basket page reads its basket again, the
// menu page its list. Only on a reconnect, never on the first connect, and an answer is
// swapped in only when no request of the page's own (a Send, a search) is on its way:
// htmx swaps an answer into the element it targeted when it was sent, so replacing that
// element under a Send would lose the Send's answer.
(function () {
  var away = false;
  var parts = [
    {
      target: "basket",
      busy: "#basket .htmx-request, #basket.htmx-request",
      ask: function () { return [window.location.pathname, {}]; },
    },
    {
      target: "menu-list",
      busy: "form.menu-filters.htmx-request",
      ask: function () {
        var filters = document.querySelector("form.menu-filters");
        return [filters.getAttribute("hx-get"), htmx.values(filters)];
      },
    },
  ];
  function busy(part) { return document.querySelector(part.busy) !== null; }
  function later(part) {
    document.addEventListener("htmx:afterRequest", function () { readAgain(part); }, { once: true });
  }
  function readAgain(part) {
    if (!document.getElementById(part.target)) return;
    if (busy(part)) return later(part);
    var asked = part.ask();
    htmx.ajax("GET", asked[0], { target: "#" + part.target, swap: "outerHTML", values: asked[1] });
  }
  document.addEventListener("htmx:wsClose", function () { away = true; });
  document.addEventListener("htmx:wsOpen", function () {
    if (!away) return;
    away = false;
    parts.forEach(readAgain);
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var config = event.detail.requestConfig;
    if (!config || config.elt !== document.body || !event.detail.target) return;  // not ours
    parts.forEach(function (part) {
      if (event.detail.target.id === part.target && busy(part)) {
        event.detail.shouldSwap = false;  // a request left after this read: read after it
        later(part);
      }
    });
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
// Hide the dishes that contain allergens this diner chose. The choice stays on this phone
// (localStorage) and is applied here, so the menu's HTML is the same for every diner.
(function () {
  var KEY = "openapp.hiddenAllergens";
  var showing = false;
  function chosen() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return Array.isArray(saved) ? saved : [];
    } catch (error) { return []; }
  }
  function save(codes) {
    try { window.localStorage.setItem(KEY, JSON.stringify(codes)); } catch (error) { /* private mode */ }
  }
  function say(box, template, count) {
    return box.getAttribute(template).replace("{count}", String(count));
  }
  function apply() {
    var box = document.getElementById("allergen-filters");
    if (!box) return;
    box.hidden = false;
    var codes = chosen();
    box.querySelectorAll("input[type=checkbox]").forEach(function (input) {
      input.checked = codes.indexOf(input.value) !== -1;
    });
    var matching = 0;
    document.querySelectorAll("#menu-list .product").forEach(function (item) {
      var contains = (item.getAttribute("data-allergens") || "").split(" ").some(function (code) {
        return code && codes.indexOf(code) !== -1;
      }) || (codes.indexOf("undeclared") !== -1 &&
             item.getAttribute("data-allergen-state") === "undeclared");
      if (contains) matching += 1;
      item.hidden = contains && !showing;
      item.classList.toggle("has-chosen-allergen", contains);
    });
    document.querySelectorAll("#menu-list .category").forEach(function (section) {
      section.hidden = !section.querySelector(".product:not([hidden])");
    });
    var text = box.querySelector(".allergen-hidden-text");
    var button = box.querySelector("#allergen-hidden button");
    var many = matching === 1 ? "one" : "many";
    text.textContent = matching ? say(box, (showing ? "data-shown-" : "data-hidden-") + many, matching) : "";
    button.hidden = !matching;
    button.textContent = box.getAttribute(showing ? "data-hide" : "data-show");
  }
  document.addEventListener("change", function (event) {
    var box = document.getElementById("allergen-filters");
    if (!box || !box.contains(event.target)) return;
    var codes = [];
    box.querySelectorAll("input[type=checkbox]:checked").forEach(function (input) { codes.push(input.value); });
    save(codes);
    showing = false;
    apply();
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("#allergen-hidden button")) return;
    showing = !showing;
    apply();
  });
  document.addEventListener("htmx:afterSettle", apply);  // a search or a pushed menu entry
  document.addEventListener("htmx:oobAfterSwap", apply);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", apply);
  else apply();
})();
// The product page's running total: the line's unit price (variant + modifiers, from the
// prices the server wrote into the page) times the quantity. The basket still prices the
// line on the server; this only shows the diner what they are about to add.
(function () {
  function cents(text) {
    var parts = String(text || "0").split(".");
    var fraction = ((parts[1] || "") + "00").slice(0, 2);
    return Number(parts[0]) * 100 + Number(fraction);
  }
  function format(total, form) {
    var whole = String(Math.floor(total / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var amount = whole + "." + String(total % 100).padStart(2, "0");
    return form.getAttribute("data-money-before") + amount + form.getAttribute("data-money-after");
  }
  function update(form) {
    var out = form.querySelector("#line-total");
    if (!out) return;
    var unit = cents(form.getAttribute("data-base-price"));
    var variant = form.querySelector("input[name=variant]:checked");
    if (variant) unit = cents(variant.getAttribute("data-price"));
    form.querySelectorAll("input[data-modifier-price]:checked").forEach(function (input) {
      unit += cents(input.getAttribute("data-modifier-price"));
    });
    var quantity = parseInt(form.querySelector("#id_quantity").value, 10);
    if (!(quantity >= 1)) quantity = 1;
    out.textContent = format(unit * quantity, form);
  }
  function wire() {
    var form = document.querySelector("form.choices[data-base-price]");
    if (!form) return;
    form.addEventListener("input", function () { update(form); });
    form.addEventListener("change", function () { update(form); });
    update(form);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire);
  else wire();
})();
