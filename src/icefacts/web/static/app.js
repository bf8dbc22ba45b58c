// icefacts: draw each chart from the spec beside it, and let a drag on the explorer's daily
// chart choose a new window. Served from this server with the Vega bundle (no CDN, no inline
// script). Vega expressions run in its interpreter, so the page needs no eval either.
"use strict";

function embedOptions() {
  // ast: Vega evaluates expressions with the interpreter vega-embed carries, not eval, so
  // the content security policy need not allow 'unsafe-eval'
  return { actions: false, renderer: "svg", ast: true };
}

function isoDay(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

function listenForWindow(view) {
  const form = document.getElementById("explorer");
  if (!form) return;
  let chosen = null;
  view.addSignalListener("window", (_name, value) => {
    const range = value && (value.day || value.yearmonthdate_day);
    chosen = range && range.length === 2 ? range : null;
  });
  view.addEventListener("pointerup", () => {
    if (!chosen) return;
    form.elements["from"].value = isoDay(chosen[0]);
    form.elements["to"].value = isoDay(chosen[1]);
    form.submit();
  });
}

function drawAll() {
  if (!window.vegaEmbed) return;
  document.querySelectorAll(".chart[data-spec]").forEach((el) => {
    const source = document.getElementById(el.dataset.spec);
    if (!source) return;
    const spec = JSON.parse(source.textContent);
    window.vegaEmbed(el, spec, embedOptions()).then((result) => {
      el.dataset.drawn = "yes";
      if (el.id === "chart-daily") listenForWindow(result.view);
    }).catch((err) => {
      el.dataset.drawn = "failed";
      el.textContent = "This chart could not be drawn: " + err.message;
    });
  });
}

document.addEventListener("DOMContentLoaded", drawAll);
