// The secrets page's Recipients and Checks views (app.js calls them when a tab opens).
// Rules as in app.js: no inline script, text only through textContent (ctx.el's "text"),
// read-only: these views only GET, and the server never sends a value.
"use strict";

(function () {
  const KINDS = [
    ["references", "Reference problems", "secretsfile check"],
    ["schemas", "Schema problems", "secretsfile check"],
    ["stale", "Stale secrets", "secretsfile stale"],
    ["drift", "Recipient drift", "secretsfile updatekeys --check"],
  ];

  function mark(el, yes, label) {
    return el("span", { class: yes ? "cell yes" : "cell no", title: label,
                        "aria-label": label, text: yes ? "✓" : "–" });
  }

  function shortKey(key) {
    return key.length > 24 ? `${key.slice(0, 14)}…${key.slice(-6)}` : key;
  }

  async function recipients(target, ctx) {
    const { api, el } = ctx;
    const data = await api("GET", "/api/recipients");
    const envs = data.environments || [];
    const head = el("tr", {}, [el("th", { text: "Recipient" }),
      ...envs.map((env) => el("th", { class: "env-col", text: env }))]);
    const rows = (data.recipients || []).map((person) => {
      const who = el("td", { class: "who" }, [
        el("span", { class: person.name ? "person" : "person muted",
                     text: person.name || "(no name)" }),
        ...(person.you ? [el("span", { class: "badge you", text: "you" })] : []),
        el("div", { class: "recipient-key", title: person.key, text: shortKey(person.key) }),
      ]);
      const cells = envs.map((env) => {
        const has = (person.environments || []).includes(env);
        return el("td", { class: "env-col" }, [mark(el, has,
          `${person.name || person.key} ${has ? "can" : "cannot"} read ${env}`)]);
      });
      return el("tr", { dataset: { recipient: person.key } }, [who, ...cells]);
    });
    const canRead = data.you_can_read || {};
    const yours = el("tr", { class: "you-row" }, [
      el("td", { class: "who" }, [el("span", { class: "badge you", text: "you can read" })]),
      ...envs.map((env) => el("td", { class: "env-col", dataset: { env } }, [
        mark(el, Boolean(canRead[env]), `you ${canRead[env] ? "can" : "cannot"} read ${env}`)])),
    ]);
    const table = el("table", { id: "recipient-matrix", class: "matrix" }, [
      el("thead", {}, [head]), el("tbody", {}, [...rows, yours])]);
    const notes = Object.entries(data.problems || {}).map(([env, problem]) =>
      el("p", { class: "hint bad", text: `${env}: ${problem}` }));
    target.replaceChildren(
      el("p", { class: "intro muted", text: "Who can read each environment, as the config "
        + "says (secretsfile recipients list). The last row: the environments your keys open." }),
      table, ...notes);
  }

  function problemItem(el, problem) {
    return el("li", { class: "problem", dataset: { kind: problem.kind } }, [
      el("div", { class: "where", text: problem.where }),
      el("div", { class: "message", text: problem.message }),
      el("div", { class: "fix" }, [el("span", { class: "muted", text: "Fix: " }),
                                   el("code", { text: problem.fix })]),
    ]);
  }

  async function checks(target, ctx) {
    const { api, el } = ctx;
    const age = target.dataset.olderThan || "90d";
    const data = await api("GET", `/api/checks?older_than=${encodeURIComponent(age)}`);
    const problems = data.problems || [];
    const sections = KINDS.map(([kind, title, command]) => {
      const mine = problems.filter((p) => p.kind === kind);
      const heading = el("h2", {}, [el("span", { text: title }),
        el("span", { class: "count muted", text: ` ${mine.length}` })]);
      const body = mine.length
        ? el("ul", { class: "problems" }, mine.map((p) => problemItem(el, p)))
        : el("p", { class: "ok", text: `✓ nothing found (${command})` });
      return el("section", { class: "check-group", id: `checks-${kind}` }, [heading, body]);
    });
    const notes = (data.notes || []).map((note) => el("p", { class: "hint", text: note }));
    const summary = problems.length ? `${problems.length} problem(s).` : "No problems.";
    target.replaceChildren(
      el("div", { class: "toolbar" }, [
        el("span", { class: "muted", text: summary }), el("span", { class: "spacer" }),
        ageControl(el, data.older_than, (value) => {
          target.dataset.olderThan = value;
          return checks(target, ctx).catch((error) => {
            target.dataset.olderThan = data.older_than;  // keep the last one that worked
            ctx.showBanner(error.message, error.hint);
          });
        })]),
      ...sections, ...notes);
  }

  // Stale means "unchanged for longer than": 90d, 12w, 6m, 1y (as 'secretsfile stale').
  function ageControl(el, current, reload) {
    const input = el("input", { id: "older-than", value: current, size: "5",
                                "aria-label": "Stale after", spellcheck: "false" });
    const form = el("form", { class: "age" }, [
      el("label", { for: "older-than", class: "muted", text: "Stale after " }), input,
      el("button", { type: "submit", text: "Check" })]);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      reload(input.value.trim() || "90d");
    });
    return form;
  }

  window.SecretsfileViews = { recipients, checks };
}());
