// The secrets page: table, sort, filter, create/update/delete forms.
// Rules: no inline script or handlers (CSP), text only through textContent, no values ever
// read back from the server (secret fields are write-only), nothing kept in storage.
"use strict";

(function () {
  const state = { csrf: "", secrets: [], schemas: {}, environments: [], sort: "name",
                  descending: false, editing: null };
  const $ = (id) => document.getElementById(id);

  function el(tag, props, children) {
    const node = document.createElement(tag);
    Object.entries(props || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v;
      else if (k === "class") node.className = v;
      else if (k === "dataset") Object.assign(node.dataset, v);
      else node.setAttribute(k, v);
    });
    (children || []).forEach((c) => node.appendChild(c));
    return node;
  }

  // ---- API -------------------------------------------------------------------------
  async function api(method, path, body) {
    const headers = { "Accept": "application/json" };
    if (method !== "GET") headers["X-CSRF-Token"] = state.csrf;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, {
      method, headers, credentials: "same-origin", cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    if (response.status !== 204) {
      try { data = await response.json(); } catch (e) { data = null; }
    }
    if (!response.ok) {
      const message = (data && data.error) || `${method} ${path}: HTTP ${response.status}`;
      const error = new Error(message);
      error.hint = data && data.hint;
      error.status = response.status;
      throw error;
    }
    return data;
  }

  function showBanner(message, hint, kind) {
    $("banner-text").textContent = hint ? `${message}\n${hint}` : message;
    $("banner").className = kind === "info" ? "banner info" : "banner";
    $("banner").hidden = false;
  }
  function clearBanner() { $("banner").hidden = true; }
  function fail(error) { showBanner(error.message, error.hint); }

  // ---- table -----------------------------------------------------------------------
  function when(text) {
    if (!text) return el("span", { class: "muted", text: "not committed" });
    const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})/.exec(text);
    return el("time", { datetime: text, title: text, text: match ? `${match[1]} ${match[2]}` : text });
  }

  function row(entry) {
    const keys = el("td", { class: "keys" }, entry.keys.map((k) => el("span", { class: "key", text: k })));
    const scope = entry.private ? "private" : "team";
    const edit = el("button", { type: "button", class: "edit", text: "Edit" });
    const del = el("button", { type: "button", class: "danger delete", text: "Delete" });
    edit.addEventListener("click", () => openEditor(entry));
    del.addEventListener("click", () => remove(entry));
    return el("tr", { dataset: { name: entry.name, env: entry.env } }, [
      el("td", { class: "name", text: entry.name }),
      el("td", { class: "env", text: entry.env }),
      el("td", { class: "schema", text: entry.schema || "—" }),
      keys,
      el("td", { class: "created" }, [when(entry.created)]),
      el("td", { class: "updated" }, [when(entry.updated)]),
      el("td", { class: "scope" }, [el("span", { class: `badge ${scope}`, text: scope })]),
      el("td", { class: "actions" }, [edit, document.createTextNode(" "), del]),
    ]);
  }

  function visible() {
    const text = $("filter").value.trim().toLowerCase();
    const env = $("env-filter").value;
    const shown = state.secrets.filter((s) => (!env || s.env === env) && (!text ||
      [s.name, s.schema || "", ...s.keys].some((t) => t.toLowerCase().includes(text))));
    return state.descending ? shown.reverse() : shown;
  }

  function render() {
    const rows = visible().map(row);
    $("rows").replaceChildren(...rows);
    $("empty").hidden = rows.length > 0;
    $("count").textContent = `${rows.length} of ${state.secrets.length}`;
    document.querySelectorAll("th .sort").forEach((b) => {
      b.classList.toggle("asc", b.dataset.sort === state.sort && !state.descending);
      b.classList.toggle("desc", b.dataset.sort === state.sort && state.descending);
    });
  }

  async function load() {
    const data = await api("GET", `/api/secrets?sort=${encodeURIComponent(state.sort)}`);
    state.secrets = data.secrets;
    render();
  }

  function sortBy(column) {
    state.descending = state.sort === column ? !state.descending : false;
    state.sort = column;
    load().catch(fail);
  }

  async function remove(entry) {
    const scope = entry.private ? "private " : "";
    if (!window.confirm(`Delete the ${scope}secret ${entry.name} from ${entry.env}?`)) return;
    try {
      await api("DELETE", `${secretPath(entry.env, entry.name)}?private=${entry.private ? 1 : 0}`);
      clearBanner();
      showBanner(`Deleted ${entry.name} from ${entry.env}.`, "", "info");
      await load();
    } catch (error) { fail(error); }
  }

  function secretPath(env, name) {
    return `/api/secrets/${encodeURIComponent(env)}/${encodeURIComponent(name)}`;
  }

  // ---- editor ----------------------------------------------------------------------
  const MULTILINE = /(private_key|pem|cert|certificate|sslkey|ssl_key|json|ssh_key)$/i;

  function input(field, editing) {
    const secret = field.secret !== false;
    let node;
    if (field.type === "bool") {
      node = el("select", {}, ["", "true", "false"].map((v) =>
        el("option", { value: v, text: v || (editing ? "(unchanged)" : "(choose)") })));
    } else if (MULTILINE.test(field.name) || field.multiline) {
      node = el("textarea", { class: secret ? "masked" : "", spellcheck: "false" });
    } else {
      const type = field.type === "int" || field.type === "float" ? "number"
        : (secret ? "password" : "text");
      node = el("input", { type, autocomplete: secret ? "new-password" : "off", spellcheck: "false" });
      if (field.type === "int") node.setAttribute("step", "1");
      if (field.type === "float") node.setAttribute("step", "any");
    }
    node.dataset.key = field.name;
    if (field.default !== undefined && field.default !== null && !editing) node.value = String(field.default);
    if (editing) node.setAttribute("placeholder", "unchanged (leave empty to keep)");
    return node;
  }

  function fieldLabel(field, editing) {
    const notes = [field.type && field.type !== "str" ? field.type : "",
      field.secret === false ? "shown" : "secret",
      field.required && !editing ? "required" : ""].filter(Boolean).join(", ");
    return el("label", {}, [document.createTextNode(field.name + " "),
      el("span", { class: "field-note", text: notes }), input(field, editing)]);
  }

  function freeKeyRow(name, editing) {
    const key = el("input", { class: "free-key", placeholder: "KEY", spellcheck: "false", "aria-label": "Key" });
    key.value = name || "";
    if (name) key.readOnly = true;
    const value = el("input", { type: "password", class: "free-value", autocomplete: "new-password",
      "aria-label": "Value", placeholder: editing ? "unchanged (leave empty to keep)" : "value" });
    return el("div", { class: "keyrow" }, [key, value]);
  }

  function buildFields() {
    const editing = state.editing;
    const schema = state.schemas[$("f-schema").value];
    const legend = el("legend", { text: schema ? `Values (${schema.name})` : "Values" });
    const children = [legend];
    if (schema) schema.fields.forEach((f) => children.push(fieldLabel(f, !!editing)));
    else (editing ? editing.keys : [""]).forEach((k) => children.push(freeKeyRow(k, !!editing)));
    $("fields").replaceChildren(...children);
    $("add-key").hidden = !!schema;
  }

  function collect() {
    const values = {};
    document.querySelectorAll("#fields [data-key]").forEach((n) => {
      if (n.value !== "") values[n.dataset.key] = n.value;
    });
    document.querySelectorAll("#fields .keyrow").forEach((r) => {
      const key = r.querySelector(".free-key").value.trim();
      const value = r.querySelector(".free-value").value;
      if (key && value !== "") values[key] = value;
    });
    return values;
  }

  function openEditor(entry) {
    state.editing = entry || null;
    $("editor").reset();
    $("editor-title").textContent = entry ? `Update ${entry.name} (${entry.env})` : "New secret";
    $("f-name").value = entry ? entry.name : "";
    $("f-env").value = entry ? entry.env : ($("env-filter").value || (state.environments[0] || ""));
    $("f-schema").value = entry && entry.schema ? entry.schema : "";
    $("f-private").checked = !!(entry && entry.private);
    ["f-name", "f-env", "f-private"].forEach((id) => { $(id).disabled = !!entry; });
    $("f-schema").disabled = !!entry;
    $("naming").textContent = "";
    $("editor-note").textContent = entry
      ? "Only the fields you fill are changed; the others keep their value." : "";
    buildFields();
    $("editor-backdrop").hidden = false;
    (entry ? $("fields").querySelector("input, textarea, select") : $("f-name")).focus();
  }

  function closeEditor() {
    $("editor").reset();
    $("fields").replaceChildren();  // no typed value stays in the DOM
    $("editor-backdrop").hidden = true;
    state.editing = null;
  }

  async function save(event) {
    event.preventDefault();
    const values = collect();
    try {
      if (state.editing) {
        const e = state.editing;
        await api("PATCH", `${secretPath(e.env, e.name)}?private=${e.private ? 1 : 0}`, { values });
      } else {
        const body = { name: $("f-name").value.trim(), env: $("f-env").value,
          private: $("f-private").checked, values };
        if ($("f-schema").value) body.schema = $("f-schema").value;
        await api("POST", "/api/secrets", body);
      }
      const done = state.editing ? "Updated" : "Created";
      const name = state.editing ? state.editing.name : $("f-name").value.trim();
      closeEditor();
      showBanner(`${done} ${name}.`, "", "info");
      await load();
    } catch (error) { fail(error); }
  }

  let namingTimer = 0;
  function checkName() {
    clearTimeout(namingTimer);
    const name = $("f-name").value.trim();
    const hint = $("naming");
    if (!name) { hint.textContent = ""; hint.className = "hint"; return; }
    namingTimer = setTimeout(async () => {
      try {
        const r = await api("GET", `/api/naming?name=${encodeURIComponent(name)}`);
        if ($("f-name").value.trim() !== name) return;
        hint.className = r.ok ? "hint good" : "hint bad";
        hint.textContent = r.ok ? "✓ a valid name" : (r.problem || "not a valid name")
          + (r.suggestion ? ` — try ${r.suggestion}` : "");
      } catch (error) { fail(error); }
    }, 150);
  }

  // ---- tabs (recipients and checks come from views.js when it is there) --------------
  function showView(name) {
    document.querySelectorAll(".tab").forEach((t) => {
      t.classList.toggle("active", t.dataset.view === name);
      t.setAttribute("aria-selected", String(t.dataset.view === name));
    });
    document.querySelectorAll(".view").forEach((v) => { v.hidden = v.id !== `view-${name}`; });
    if (name === "secrets") return;
    const target = $(`view-${name}`);
    const views = window.SecretsfileViews;
    if (views && typeof views[name] === "function") {
      Promise.resolve(views[name](target, { api, el, showBanner })).catch(fail);
    } else {
      target.replaceChildren(el("div", { class: "placeholder",
        text: `The ${name} view is coming.` }));
    }
  }

  // ---- start -----------------------------------------------------------------------
  function options(select, names, keepFirst) {
    const first = keepFirst ? [select.options[0]] : [];
    select.replaceChildren(...first, ...names.map((n) => el("option", { value: n, text: n })));
  }

  function schemaMap(data) {
    const list = Array.isArray(data) ? data : (data.schemas || []);
    const map = {};
    (Array.isArray(list) ? list : Object.values(list)).forEach((s) => { map[s.name] = s; });
    return map;
  }

  async function start() {
    document.querySelectorAll(".tab").forEach((t) =>
      t.addEventListener("click", () => showView(t.dataset.view)));
    document.querySelectorAll("th .sort").forEach((b) =>
      b.addEventListener("click", () => sortBy(b.dataset.sort)));
    $("filter").addEventListener("input", render);
    $("env-filter").addEventListener("change", render);
    $("new-secret").addEventListener("click", () => openEditor(null));
    $("cancel").addEventListener("click", closeEditor);
    $("editor").addEventListener("submit", save);
    $("f-schema").addEventListener("change", buildFields);
    $("f-name").addEventListener("input", checkName);
    $("add-key").addEventListener("click", () => $("fields").appendChild(freeKeyRow("", false)));
    $("banner-close").addEventListener("click", clearBanner);
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && !$("editor-backdrop").hidden) closeEditor();
    });
    try {
      const session = await api("GET", "/api/session");
      const meta = document.querySelector('meta[name="csrf-token"]');
      state.csrf = session.csrf || (meta ? meta.getAttribute("content") : "");
      state.environments = (session.environments || []).map((e) => (typeof e === "string" ? e : e.name));
      $("project").textContent = session.project ? `· ${session.project}` : "";
      options($("env-filter"), state.environments, true);
      options($("f-env"), state.environments, false);
      state.schemas = schemaMap(await api("GET", "/api/schemas"));
      options($("f-schema"), Object.keys(state.schemas).sort(), true);
      await load();
      document.body.dataset.ready = "1";
    } catch (error) { fail(error); }
  }

  document.addEventListener("DOMContentLoaded", start);
}());
