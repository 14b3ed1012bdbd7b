/* Overlap discovery pages: the run page drives the protocol (the work happens in
 * overlap-worker.js); the home page hashes restricted accounts before they are sent.
 * Files are read with the File API and never uploaded: only blinded values leave the browser.
 */
(function () {
  "use strict";

  var POLL_MS = 1500;
  var KEY_PREFIX = "consortia-overlap:";

  function Worker_(root) {
    this.worker = new Worker(root.dataset.worker);
    this.pending = {};
    this.next = 1;
    this.onprogress = null;
    var self = this;
    this.worker.onmessage = function (event) {
      var msg = event.data;
      if (msg.type === "progress") { if (self.onprogress) self.onprogress(msg); return; }
      var entry = self.pending[msg.id];
      if (!entry) return;
      delete self.pending[msg.id];
      if (msg.type === "error") entry.reject(new Error(msg.message)); else entry.resolve(msg);
    };
    this.worker.onerror = function (event) {
      Object.keys(self.pending).forEach(function (id) {
        self.pending[id].reject(new Error(event.message || "The comparison stopped unexpectedly."));
      });
      self.pending = {};
    };
  }
  Worker_.prototype.call = function (cmd, data, transfer) {
    var self = this, id = this.next++;
    data = data || {};
    data.cmd = cmd;
    data.id = id;
    return new Promise(function (resolve, reject) {
      self.pending[id] = { resolve: resolve, reject: reject };
      self.worker.postMessage(data, transfer || []);
    });
  };

  function startWorker(root) {
    var worker = new Worker_(root);
    return fetch(root.dataset.psl, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("The suffix list could not be loaded."); return r.json(); })
      .then(function (psl) {
        return worker.call("init", { libs: [root.dataset.libSodium, root.dataset.libWrappers], rules: psl.rules });
      })
      .then(function (init) {
        // A policy without 'wasm-unsafe-eval' leaves libsodium on its slow asm.js build.
        if (init.violations && init.violations.length && window.console) {
          window.console.warn("Overlap: the Content-Security-Policy blocked " + init.violations.join("; "));
        }
        worker.protocol = init.protocol; // the version its arithmetic speaks
        return worker;
      });
  }

  // Home page: the restricted list ----------------------------------------------------------------

  function restrictedForm(form) {
    var status = form.querySelector("[data-overlap-restricted-status]");
    var textarea = form.querySelector("textarea[name=accounts]");
    var hidden = form.querySelector("input[name=digests]");
    var root = form;
    var workerPromise = null;
    form.addEventListener("submit", function (event) {
      if (!textarea.value.trim() || hidden.value) return;
      event.preventDefault();
      status.textContent = "Hashing in your browser…";
      workerPromise = workerPromise || startWorker(root);
      workerPromise.then(function (worker) {
        return worker.call("digests", { salt: form.dataset.salt, values: textarea.value.split(/\r?\n/) });
      }).then(function (result) {
        if (result.bad.length) {
          status.textContent = "Line(s) " + result.bad.join(", ") + " hold no usable domain, e-mail address or registration number.";
          return;
        }
        hidden.value = result.digests.join("\n");
        textarea.value = "";
        form.submit();
      }).catch(function (error) { status.textContent = error.message; });
    });
  }

  // Run page ------------------------------------------------------------------------------------

  function RunPage(root) {
    this.root = root;
    this.api = root.dataset.api;
    this.csrf = root.dataset.csrf;
    this.bar = root.querySelector("[data-overlap-bar]");
    this.message = root.querySelector("[data-overlap-message]");
    this.panel = root.querySelector("[data-overlap-progress]");
    this.worker = null;
  }

  RunPage.prototype.say = function (text) { if (this.message) this.message.textContent = text; };

  // A busy server (a locked SQLite database, a restarting process) answers 5xx or nothing at
  // all: every call is retried a few times. A refused request (4xx) changed nothing and is not.
  RunPage.prototype.request = function (method, path, body, attempt) {
    var self = this, headers = { "X-CSRFToken": this.csrf };
    attempt = attempt || 0;
    function retry(error) {
      if (attempt >= 4) throw error;
      return new Promise(function (resolve) { setTimeout(resolve, 400 * (attempt + 1)); })
        .then(function () { return self.request(method, path, body, attempt + 1); });
    }
    return fetch(this.api + path, { method: method, credentials: "same-origin", headers: headers, body: body })
      .then(function (response) {
        if (response.ok) return response;
        if (response.status >= 500) return retry(new Error("The server answered " + response.status + "; try again."));
        return response.json().catch(function () { return {}; }).then(function (data) {
          var detail = data.detail;
          if (Array.isArray(detail)) detail = detail.map(function (d) { return d.msg; }).join(" ");
          throw new Error(detail || ("The server answered " + response.status + "."));
        });
      }, function () { return retry(new Error("The server could not be reached.")); });
  };
  // Every step of a run says which protocol version this browser's worker speaks: a run of
  // another version refuses it (422) with a sentence, shown like any refusal.
  RunPage.prototype.form = function () {
    var form = new FormData();
    if (this.worker && this.worker.protocol) form.append("protocol", String(this.worker.protocol));
    return form;
  };
  RunPage.prototype.state = function () { return this.request("GET", "").then(function (r) { return r.json(); }); };
  RunPage.prototype.bytes = function (path) { return this.request("GET", path).then(function (r) { return r.arrayBuffer(); }); };

  RunPage.prototype.side = function (state, you) {
    return state.sides.filter(function (s) { return s.is_you === you; })[0];
  };

  RunPage.prototype.waitFor = function (test, text) {
    var self = this;
    self.say(text);
    return new Promise(function (resolve, reject) {
      function poll() {
        self.state().then(function (state) {
          if (["cancelled", "expired"].indexOf(state.status) >= 0) {
            reject(new Error("The run was " + state.status + "."));
          } else if (test(state)) {
            resolve(state);
          } else {
            setTimeout(poll, POLL_MS);
          }
        }, reject);
      }
      poll();
    });
  };

  RunPage.prototype.progress = function (msg) {
    if (!msg.total || !this.bar) return;
    this.bar.max = msg.total;
    this.bar.value = msg.done;
    this.say(msg.label + ": " + msg.done.toLocaleString("en") + " of " + msg.total.toLocaleString("en"));
  };

  RunPage.prototype.files = function () {
    return Array.prototype.slice.call(this.root.querySelectorAll("input[type=file][data-population]"));
  };

  RunPage.prototype.compare = function () {
    var self = this, inputs = this.files(), populations;
    var start = this.root.querySelector("[data-overlap-start]");
    start.disabled = true;
    inputs.forEach(function (input) { self.root.querySelector("[data-overlap-note='" + input.dataset.population + "']").textContent = ""; });
    this.say("Reading your files in this browser…");
    Promise.all([
      fetch(this.root.dataset.restricted, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error("Your restricted list could not be loaded.");
        return r.json();
      }),
      Promise.all(inputs.map(function (input) { return input.files[0].arrayBuffer(); })),
      this.state()
    ]).then(function (results) {
      var restricted = results[0], buffers = results[1], state = results[2];
      populations = inputs.map(function (input, i) {
        return { id: Number(input.dataset.population), name: input.dataset.name, level: input.dataset.level,
                 fields: input.dataset.fields ? input.dataset.fields.split(",") : [], bytes: buffers[i] };
      });
      return self.worker.call("prepare", {
        runId: self.root.dataset.run, populations: populations, restricted: restricted,
        minimum: state.min_set_size
      }, buffers);
    }).then(function (prepared) {
      var failed = Object.keys(prepared.errors);
      Object.keys(prepared.reports).forEach(function (id) {
        self.root.querySelector("[data-overlap-note='" + id + "']").textContent = prepared.reports[id].text + ".";
      });
      if (failed.length) {
        failed.forEach(function (id) {
          var note = self.root.querySelector("[data-overlap-note='" + id + "']");
          note.textContent = prepared.errors[id];
          note.classList.add("field__error");
          self.root.querySelector("#overlap-file-" + id).setAttribute("aria-invalid", "true");
        });
        throw new Error("Nothing was sent: fix the file(s) marked above and try again.");
      }
      return self.worker.call("blind", { populations: populations.map(function (p) { return { id: p.id, name: p.name, level: p.level, fields: p.fields }; }) })
        .then(function (blinded) {
          var form = self.form(), meta = {};
          Object.keys(blinded.uploads).forEach(function (id) {
            var upload = blinded.uploads[id];
            form.append("blinded-" + id, new Blob([upload.blinded]), "blinded-" + id);
            if (upload.payload) form.append("payload-" + id, new Blob([upload.payload]), "payload-" + id);
            var r = prepared.reports[id];
            meta[id] = { rows: r.rows, duplicates: r.duplicates, skipped: r.skipped, restricted: r.restricted };
          });
          form.append("meta", JSON.stringify(meta));
          self.say("Sending your blinded lists…");
          return self.request("POST", "/blinded", form);
        });
    }).then(function () {
      return self.afterBlinded();
    }).catch(function (error) {
      self.say(error.message);
      start.disabled = false;
    });
  };

  RunPage.prototype.afterBlinded = function () {
    var self = this, other;
    return this.waitFor(function (s) {
      other = self.side(s, false);
      return other.blinded;
    }, "Waiting for the other side to send its blinded lists…").then(function (state) {
      var you = self.side(state, true);
      other = self.side(state, false);
      var evaluate = you.populations.some(function (p) { return p.level === "records"; });
      var form = self.form();
      return other.populations.reduce(function (chain, p) {
        return chain.then(function () {
          return self.bytes("/values/blinded/" + p.id).then(function (bytes) {
            return self.worker.call("double", { bytes: bytes, name: other.organization.name + " — " + p.name, evaluate: evaluate }, [bytes]);
          }).then(function (result) {
            form.append("double-" + p.id, new Blob([result.double]), "double-" + p.id);
            if (result.evaluated) form.append("evaluated-" + p.id, new Blob([result.evaluated]), "evaluated-" + p.id);
          });
        });
      }, Promise.resolve()).then(function () {
        self.say("Sending the double-blinded lists…");
        return self.request("POST", "/doubled", form);
      });
    }).then(function () {
      return self.waitFor(function (s) { return s.status === "matched" || s.status === "complete"; },
        "Waiting for the other side to double-blind your lists…");
    }).then(function (state) {
      if (!state.you_receive_records) return state;
      return self.openRecords(state);
    }).then(function () {
      self.say("Done. Reloading the results…");
      self.worker.call("forget");
      window.location.reload();
    });
  };

  RunPage.prototype.openRecords = function (state) {
    var self = this, you = this.side(state, true), other = this.side(state, false), records = [];
    var shared = other.populations.filter(function (p) { return p.level === "records"; });
    return Promise.all(shared.map(function (p) {
      return self.bytes("/values/payload/" + p.id).then(function (bytes) { return { name: p.name, bytes: bytes }; });
    })).then(function (tables) {
      return you.populations.reduce(function (chain, p) {
        return chain.then(function () {
          return self.bytes("/values/evaluated/" + p.id).then(function (evaluated) {
            return self.worker.call("open", { popId: p.id, popName: p.name, evaluated: evaluated, tables: tables });
          }).then(function (result) { records = records.concat(result.records); });
        });
      }, Promise.resolve());
    }).then(function () {
      return self.worker.call("sealResult", { data: { run: self.root.dataset.run, records: records } });
    }).then(function (sealed) {
      try { window.localStorage.setItem(KEY_PREFIX + self.root.dataset.run, sealed.key); } catch (e) { /* private mode */ }
      var form = self.form();
      form.append("sealed", new Blob([sealed.sealed]), "sealed");
      form.append("records", String(records.length));
      self.say("Storing your records, sealed with a key this browser keeps…");
      return self.request("POST", "/opened", form);
    });
  };

  RunPage.prototype.showRecords = function (state) {
    var self = this, body = this.root.querySelector("[data-overlap-records-body]");
    var button = this.root.querySelector("[data-overlap-export]");
    if (!body || !state.has_sealed_result) return;
    var key = null;
    try { key = window.localStorage.getItem(KEY_PREFIX + this.root.dataset.run); } catch (e) { key = null; }
    if (!key) {
      var note = document.createElement("p");
      note.className = "muted";
      note.textContent = "Their key is kept by the browser (or the command line) that ran the comparison; open this page there to read them.";
      body.appendChild(note);
      return;
    }
    this.bytes("/sealed").then(function (sealed) {
      return self.worker.call("openResult", { sealed: sealed, key: key }, [sealed]);
    }).then(function (result) {
      var records = result.data.records.slice().sort(function (a, b) {
        return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
      });
      body.replaceChildren(recordsTable(records));
      button.hidden = false;
      button.addEventListener("click", function () { download(records, self.root.dataset.run); });
    }).catch(function (error) { body.textContent = error.message; });
  };

  function fieldText(fields) {
    return ["name", "owner", "stage"].filter(function (k) { return fields[k]; })
      .map(function (k) { return k + ": " + fields[k]; }).join(", ") || "—";
  }

  function recordsTable(records) {
    if (!records.length) {
      var empty = document.createElement("p");
      empty.className = "empty";
      empty.textContent = "None of your accounts is in the lists your partner shares at record level.";
      return empty;
    }
    var table = document.createElement("table");
    table.className = "table table--stack";
    table.setAttribute("data-overlap-records-table", "");
    var head = table.createTHead().insertRow();
    ["Your account", "Your population", "Their population", "What they share"].forEach(function (text) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = text;
      head.appendChild(th);
    });
    var tbody = table.createTBody();
    records.forEach(function (record) {
      var row = tbody.insertRow();
      var cells = [record.key.slice(2) + (record.your_fields && record.your_fields.name ? " (" + record.your_fields.name + ")" : ""),
                   record.population, record.their_population, fieldText(record.fields)];
      ["Your account", "Your population", "Their population", "What they share"].forEach(function (label, i) {
        var cell = i === 0 ? document.createElement("th") : row.insertCell();
        if (i === 0) { cell.scope = "row"; row.appendChild(cell); }
        cell.dataset.label = label;
        cell.textContent = cells[i];
      });
    });
    return table;
  }

  function csvCell(value) {
    value = String(value == null ? "" : value);
    if (/^[=+\-@]/.test(value)) value = "'" + value; // no formula injection in spreadsheets
    return /[",\r\n]/.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
  }

  function download(records, runId) {
    var lines = [["key", "your_population", "your_name", "their_population", "their_name", "their_owner", "their_stage"].join(",")];
    records.forEach(function (r) {
      lines.push([r.key.slice(2), r.population, (r.your_fields || {}).name, r.their_population,
                  r.fields.name, r.fields.owner, r.fields.stage].map(csvCell).join(","));
    });
    var blob = new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "overlap-" + runId + "-records.csv";
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }

  RunPage.prototype.init = function () {
    var self = this, start = this.root.querySelector("[data-overlap-start]");
    startWorker(this.root).then(function (worker) {
      self.worker = worker;
      worker.onprogress = function (msg) { self.progress(msg); };
      if (start) {
        var update = function () {
          start.disabled = !self.files().every(function (input) { return input.files && input.files.length; });
        };
        self.files().forEach(function (input) { input.addEventListener("change", update); });
        update();
        start.addEventListener("click", function () { self.compare(); });
      }
      return self.state();
    }).then(function (state) {
      self.showRecords(state);
      if (self.panel && self.panel.hasAttribute("data-overlap-wait")) {
        // Against the status this page was drawn with: the run may have moved on between the
        // page and the first state (then the page reloads at once).
        var drawn = self.panel.getAttribute("data-overlap-wait");
        self.waitFor(function (s) { return s.status !== drawn; }, self.message.textContent)
          .then(function () { window.location.reload(); }, function () { window.location.reload(); });
      }
    }).catch(function (error) { self.say(error.message); });
  };

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("overlap-run");
    if (root) new RunPage(root).init();
    var form = document.querySelector("[data-overlap-restricted]");
    if (form) restrictedForm(form);
  });
})();
