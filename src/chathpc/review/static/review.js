// chathpc review: the item list, the item view, and Check / Accept / Rate / Reject over the JSON API.
// The token travels as a same-site cookie set by the first page load (?token=...).
"use strict";

const FILTERS = ["verdict", "domain", "target", "model", "status"];
const state = { filters: {}, current: null, checked: {} };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "html") node.innerHTML = value;  // only for the server's Pygments output
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(path, body) {
  const options = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || data.detail || `${response.status} ${response.statusText}`);
  return data;
}

function verdictBadge(verdict) {
  return el("span", { class: "verdict" + (verdict === "pass" ? " pass" : ""), "data-verdict": verdict }, verdict);
}

async function loadList() {
  const query = new URLSearchParams(Object.entries(state.filters).filter(([, v]) => v));
  const data = await api("/api/items?" + query);
  const files = document.getElementById("files");
  files.textContent = `results: ${data.results.join(", ")} · refinement file: ${data.refine_out} · reviewer: ${data.reviewer}`;
  const filters = document.getElementById("filters");
  if (!filters.childElementCount) {
    for (const name of FILTERS) {
      const values = data.filters[name] || [];
      if (name === "target" && !values.length) continue;
      const select = el("select", { id: "filter-" + name, onchange: (e) => { state.filters[name] = e.target.value; loadList(); } },
        el("option", { value: "" }, "any"), values.map((v) => el("option", { value: v }, v)));
      filters.append(el("label", {}, name + " ", select));
    }
  }
  const body = document.querySelector("#items tbody");
  body.replaceChildren(...data.items.map((item) => el("tr", { class: item.index === state.current ? "current" : null, "data-index": item.index },
    el("td", {}, el("a", { href: "#item=" + item.index, class: "item-link", "data-index": item.index }, item.item_id)),
    el("td", {}, item.model),
    el("td", {}, `${item.passed}/${item.samples} pass `, el("span", { class: "note" }, [...new Set(item.verdicts)].join(", "))),
    el("td", {}, el("span", { class: "status " + item.status }, item.status)))));
}

function resultBlock(result) {
  if (!result) return el("div", { class: "note" }, "no check recorded (the answer holds no program)");
  const parts = [el("div", {}, verdictBadge(result.verdict), " ", el("span", { class: "summary" }, result.summary))];
  if (result.diagnosis) parts.push(el("div", {}, el("b", {}, "diagnosis: "), result.diagnosis));
  if (result.mismatch) {
    const m = result.mismatch;
    parts.push(el("div", {}, el("b", {}, `first mismatch (${m.ranks} ranks, args ${m.args.join(" ") || "(none)"}): `), m.describe));
    if (m.output.length) parts.push(el("div", { class: "box" }, m.output.map((o) => `${o.line}: ${o.text}`).join("\n")));
  }
  if (result.build_log) parts.push(el("details", { open: true }, el("summary", {}, "compiler errors"), el("div", { class: "box" }, result.build_log)));
  else if (["runtime_error", "timeout", "memory_error"].includes(result.verdict) && !result.mismatch) {
    parts.push(el("div", { class: "box" }, result.feedback));  // the failing run and the tail of its stderr
  }
  if (result.perf && result.perf.length) {
    parts.push(el("table", { class: "perf" },
      el("tr", {}, ["ranks", "seconds", "speedup", "efficiency", "MiB per rank", "bytes sent"].map((h) => el("th", {}, h))),
      result.perf.map((t) => el("tr", {}, el("td", {}, t.ranks), el("td", {}, t.seconds.toFixed(4)), el("td", {}, t.speedup.toFixed(2) + "x"),
        el("td", {}, (100 * t.efficiency).toFixed(0) + "%"), el("td", {}, t.memory_mib === null ? "-" : t.memory_mib.toFixed(1)),
        el("td", {}, t.bytes_sent === null ? "-" : t.bytes_sent)))));
  }
  if (result.perf_error) parts.push(el("div", { class: "note error" }, "timing failed: " + result.perf_error));
  return el("div", { class: "result" }, parts);
}

function ratingForm(item, candidate) {
  const rating = candidate.rating || {};
  const inputs = item.rating_fields.map((f) => el("label", {}, f.label + " ",
    el("input", { type: "number", min: 0, max: 5, id: `rate-${f.key}-${candidate.sample}`, value: rating[f.key] ?? "" })));
  const notes = el("input", { type: "text", id: `rate-notes-${candidate.sample}`, placeholder: "notes", value: rating.notes || "", size: 30 });
  const message = el("span", { class: "note", id: `rate-result-${candidate.sample}` }, rating.at ? `rated by ${rating.by} at ${rating.at}` : "");
  const rate = async () => {
    const ratings = { notes: notes.value };
    for (const f of item.rating_fields) ratings[f.key] = document.getElementById(`rate-${f.key}-${candidate.sample}`).value;
    try {
      const data = await api(`/api/items/${item.index}/rate`, { sample: candidate.sample, ratings });
      message.textContent = `rated by ${data.rating.by} at ${data.rating.at}`;
      message.classList.remove("error");
      loadList();
    } catch (error) { message.textContent = error.message; message.classList.add("error"); }
  };
  return el("details", { class: "rating" }, el("summary", {}, "Rate this answer (without editing it)"),
    el("div", {}, inputs, notes, " ", el("button", { id: `rate-${candidate.sample}`, onclick: rate }, "Rate"), " ", message));
}

function candidateColumn(item, candidate) {
  const sample = candidate.sample;
  const editor = el("textarea", { class: "editor", id: `editor-${sample}`, spellcheck: "false" });
  editor.value = candidate.code || candidate.raw_output;
  const checkResult = el("div", { id: `check-result-${sample}`, class: "check-result" });
  const acceptResult = el("span", { id: `accept-result-${sample}`, class: "note" });
  const acceptButton = el("button", { id: `accept-${sample}`, disabled: true }, "Accept");
  const checkButton = el("button", { id: `check-${sample}` }, "Check");
  const passedText = () => state.checked[`${item.index}/${sample}`];
  const refresh = () => { acceptButton.disabled = passedText() !== editor.value; };
  if (candidate.passed && candidate.code) state.checked[`${item.index}/${sample}`] = candidate.code;
  editor.addEventListener("input", refresh);
  checkButton.addEventListener("click", async () => {
    const program = editor.value;
    checkButton.disabled = true;
    checkResult.replaceChildren(el("span", { class: "note", "data-state": "running" }, "checking (build, run at every rank count, compare)..."));
    try {
      let run = await api(`/api/items/${item.index}/check`, { sample, program });
      while (run.state === "running") {
        await new Promise((resolve) => setTimeout(resolve, 500));
        run = await api(`/api/checks/${run.id}`);
      }
      if (run.state === "error") {
        checkResult.replaceChildren(el("div", { class: "error", "data-state": "error" }, run.error));
      } else {
        checkResult.replaceChildren(el("div", { "data-state": "done" }, el("b", {}, "your check: "), resultBlock(run.result)));
        if (run.result.passed) state.checked[`${item.index}/${sample}`] = program;
        else if (passedText() === program) delete state.checked[`${item.index}/${sample}`];
      }
    } catch (error) {
      checkResult.replaceChildren(el("div", { class: "error", "data-state": "error" }, error.message));
    }
    checkButton.disabled = false;
    refresh();
  });
  acceptButton.addEventListener("click", async () => {
    try {
      const data = await api(`/api/items/${item.index}/accept`, { sample, program: editor.value });
      acceptResult.textContent = `accepted: appended to ${data.refine_out}`;
      acceptResult.classList.remove("error");
      acceptResult.dataset.state = "accepted";
      loadList();
      document.getElementById("item-status").replaceChildren(el("span", { class: "status accepted" }, "accepted"));
    } catch (error) { acceptResult.textContent = error.message; acceptResult.classList.add("error"); acceptResult.dataset.state = "refused"; }
  });
  refresh();
  return el("section", { class: "column candidate", "data-sample": sample },
    el("h3", {}, `Candidate, sample ${sample} `, verdictBadge(candidate.verdict)),
    resultBlock(candidate.check),
    candidate.code_html ? el("div", { html: candidate.code_html }) : el("div", { class: "note" }, "The answer holds no program; its text is in the editor."),
    el("div", { class: "note" }, "Edit the candidate here, Check it, and Accept it once it passes:"),
    editor,
    el("div", { class: "actions" }, checkButton, acceptButton, acceptResult),
    checkResult,
    ratingForm(item, candidate));
}

async function showItem(index) {
  state.current = index;
  const main = document.getElementById("item");
  let item;
  try { item = await api(`/api/items/${index}`); } catch (error) { main.replaceChildren(el("p", { class: "error" }, error.message)); return; }
  const s = item.settings;
  const reject = el("button", { id: "reject", onclick: async () => {
    await api(`/api/items/${item.index}/reject`, { reason: "" });
    document.getElementById("item-status").replaceChildren(el("span", { class: "status rejected" }, "rejected"));
    loadList();
  } }, "Reject item");
  main.replaceChildren(
    el("h2", {}, item.item_id),
    el("div", { class: "meta" }, el("span", {}, "model: ", item.model), el("span", {}, "domain: ", item.domain || "-"),
      item.target ? el("span", {}, "target: ", item.target) : null,
      el("span", { id: "item-status" }, el("span", { class: "status " + item.status }, item.status)), reject),
    el("div", { class: "note" }, `Check runs ranks ${s.ranks.join(", ")}` + (s.explore ? `, explore (seed ${s.explore_seed}, ${s.explore_budget} s)` : "")
      + (s.sanitize ? ", sanitize" : "") + (s.perf ? `, timing at ${s.perf_ranks.join(", ")} ranks` : "") + " with the item's arguments and tolerances."),
    el("details", {}, el("summary", {}, "Question"), el("div", { class: "box" }, item.question)),
    el("div", { class: "columns" },
      el("section", { class: "column sequential" }, el("h3", {}, "Sequential program"), el("div", { html: item.sequential_html })),
      item.candidates.map((c) => candidateColumn(item, c))));
  loadList();
}

function route() {
  const match = /item=(\d+)/.exec(location.hash);
  if (match) showItem(Number(match[1]));
}

window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", () => {
  if (location.search.includes("token=")) history.replaceState(null, "", "/" + location.hash);  // keep the token out of the history
  loadList();
  route();
});
