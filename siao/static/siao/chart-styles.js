// dsfr-chart renders inside a shadow root, where the page's stylesheets don't apply: link the
// chart's own stylesheet (same origin, allowed by the CSP) into each chart's shadow root, so
// that its legend dots get their size. Runs after the component is defined.
customElements.whenDefined("bar-chart").then(() => {
  const href = document.querySelector('link[data-chart-styles]')?.href;
  if (!href) return;
  for (const chart of document.querySelectorAll("bar-chart")) {
    const root = chart.shadowRoot;
    if (!root || root.querySelector("link[data-chart-styles]")) continue;
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    link.dataset.chartStyles = "";
    root.prepend(link);
  }
});
