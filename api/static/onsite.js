/* The on-site form's draft (下移接待), Shoujie's own code and no one else's.
 *
 * Without this script the form is a plain POST and works the same. With it, what is typed is kept
 * in this browser (localStorage) as it is typed; a submission made while the connection is down
 * is held and sent when the connection is back, once: the form's one-time token (form_token)
 * travels with the draft, so a retry of a post that did land is sent to the case it made. The
 * photos are kept too, in IndexedDB (too big for localStorage), and put back in their fields when
 * the page is opened again with a draft (a phone may drop the page while its camera is open).
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft]");
  if (!form || !window.fetch || !window.FormData || !window.localStorage) {
    return;
  }
  var KEY = "shoujie.draft." + form.getAttribute("data-draft");
  var RETRY_MS = 15000;
  var SEND_TIMEOUT_MS = 180000;  // photos over a slow line take time
  var status = document.getElementById("onsite-status");
  var pending = false;
  var sending = false;

  function say(text, kind) {
    status.textContent = text;
    status.className = "flash flash-" + (kind || "info") + " onsite-status";
    status.hidden = !text;
  }

  function textFields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrf_token" && el.type !== "file" &&
        el.type !== "submit" && el.type !== "button";
    });
  }

  function photoCount() {
    var n = 0;
    Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (el) {
      n += el.files ? el.files.length : 0;
    });
    return n;
  }

  function fileInputs() {
    return Array.prototype.slice.call(form.querySelectorAll("input[type=file]"));
  }

  // The photos of the draft, by their field's id; nothing kept where IndexedDB is missing.
  var photoStore = (function () {
    var opening = null;
    function db() {
      if (!window.indexedDB) { return Promise.reject(new Error("IndexedDB missing")); }
      if (!opening) {
        opening = new Promise(function (resolve, reject) {
          var req = window.indexedDB.open("shoujie-drafts", 1);
          req.onupgradeneeded = function () { req.result.createObjectStore("photos"); };
          req.onsuccess = function () { resolve(req.result); };
          req.onerror = function () { reject(req.error); };
        });
      }
      return opening;
    }
    function run(mode, work) {
      return db().then(function (store) {
        return new Promise(function (resolve, reject) {
          var tx = store.transaction("photos", mode);
          var req = work(tx.objectStore("photos"));
          tx.oncomplete = function () { resolve(req ? req.result : undefined); };
          tx.onerror = function () { reject(tx.error); };
          tx.onabort = function () { reject(tx.error); };
        });
      });
    }
    return {
      put: function (id, files) {
        return run("readwrite", function (s) { return s.put(files, KEY + ":" + id); });
      },
      get: function (id) {
        return run("readonly", function (s) { return s.get(KEY + ":" + id); });
      },
      clear: function () {
        return run("readwrite", function (s) {
          return s.delete(window.IDBKeyRange.bound(KEY + ":", KEY + ":\uffff"));
        });
      }
    };
  })();

  function keepPhotos(input) {
    var files = Array.prototype.slice.call(input.files || []);
    photoStore.put(input.id, files).then(function () {
      form.setAttribute("data-photos-kept", String(photoCount()));
    }).catch(function () { /* kept in the field while the page is open */ });
  }

  function restorePhotos() {
    if (!window.DataTransfer) { return Promise.resolve(0); }
    return Promise.all(fileInputs().map(function (input) {
      return photoStore.get(input.id).then(function (files) {
        if (!files || !files.length || (input.files && input.files.length)) { return 0; }
        var dt = new DataTransfer();
        files.forEach(function (f) { dt.items.add(f); });
        input.files = dt.files;
        return files.length;
      });
    })).then(function (counts) {
      return counts.reduce(function (a, b) { return a + b; }, 0);
    }).catch(function () { return 0; });
  }

  function save() {
    var fields = {};
    textFields().forEach(function (el) { fields[el.name] = el.value; });
    var draft = { fields: fields, pending: pending, photos: photoCount(), saved: Date.now() };
    try {
      localStorage.setItem(KEY, JSON.stringify(draft));
    } catch (e) {
      say("本机无法保存草稿（存储已满或被禁用），断网时请勿关闭本页。", "error");
    }
  }

  function load() {
    try {
      return JSON.parse(localStorage.getItem(KEY) || "null");
    } catch (e) {
      return null;
    }
  }

  function clear() {
    try { localStorage.removeItem(KEY); } catch (e) { /* nothing kept, nothing to clear */ }
    return photoStore.clear().catch(function () { /* nothing kept */ });
  }

  function restore(draft) {
    textFields().forEach(function (el) {
      if (Object.prototype.hasOwnProperty.call(draft.fields, el.name)) {
        el.value = draft.fields[el.name];
        if (el.value && el.closest("details")) { el.closest("details").open = true; }
      }
    });
  }

  function held() {
    pending = true;
    save();
    var photos = photoCount();
    say("网络已断开：草稿已保存在本机" + (photos ? "（含照片" + photos + "张，请勿关闭本页）" : "") +
      "，联网后自动提交，不会重复登记。", "error");
  }

  function send() {
    if (sending) { return; }
    if (!navigator.onLine) { held(); return; }
    sending = true;
    say("正在提交……", "info");
    // A connection that hangs rather than fails: give up after a while and hold the draft.
    var abort = window.AbortController ? new AbortController() : null;
    var timer = abort ? window.setTimeout(function () { abort.abort(); }, SEND_TIMEOUT_MS) : 0;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Shoujie-Draft": "1" },
      signal: abort ? abort.signal : undefined
    }).then(function (r) {
      window.clearTimeout(timer);
      var type = r.headers.get("content-type") || "";
      if (r.ok && type.indexOf("application/json") === 0) {
        return r.json().then(function (answer) {
          pending = false;
          // To the receipt once, when the draft is cleared or a moment later at most: a second
          // visit would no longer show the 查询码.
          var gone = false;
          var go = function () {
            if (!gone) { gone = true; window.location.assign(answer.location); }
          };
          clear().then(go);
          window.setTimeout(go, 1500);
        });
      }
      // A mistake in the form, or a sign-in that ran out: the server's own page says what, as
      // without this script. The draft stays until a registration is answered.
      sending = false;
      pending = false;
      save();
      HTMLFormElement.prototype.submit.call(form);
    }).catch(function () {
      // The connection dropped before an answer came: hold the draft and try again when back.
      window.clearTimeout(timer);
      sending = false;
      held();
    });
  }

  var draft = load();
  if (form.hasAttribute("data-fresh")) {
    if (draft && draft.fields) {
      restore(draft);
      restorePhotos().then(function (n) {
        var photos = n ? "（含照片" + n + "张）" :
          (draft.photos ? "；照片未能保存在本机，请重新拍摄" : "");
        say("已恢复本机保存的未提交草稿" + photos + "。核对后点「登记并提醒督办」。", "info");
      });
    }
  } else {
    // The server's answer to a mistake holds what is current; its photos are to be chosen again.
    save();
    photoStore.clear().catch(function () { /* nothing kept */ });
  }
  form.addEventListener("input", save);
  form.addEventListener("change", function (event) {
    if (event.target && event.target.type === "file") { keepPhotos(event.target); }
    save();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    pending = true;
    save();
    send();
  });
  window.addEventListener("online", function () {
    if (pending) { send(); } else { say("", "info"); }
  });
  window.addEventListener("offline", function () {
    if (!pending) { say("网络已断开：填写的内容随时保存在本机。", "info"); }
  });
  // Some phones report the connection's return late or never: look again now and then.
  window.setInterval(function () { if (pending && navigator.onLine) { send(); } }, RETRY_MS);
})();
