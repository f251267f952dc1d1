// A long job's progress (retention run): poll its status every 2 seconds and update the
// progress bar and the polite live region; reload once it ends to show the report.
const box = document.getElementById("run-progress");
if (box && box.hasAttribute("data-poll")) {
  const bar = document.getElementById("run-bar");
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const state = await response.json();
      bar.value = state.percent;
      bar.textContent = `${state.percent} %`;
      for (const element of box.querySelectorAll("[data-field]")) {
        element.textContent = state[element.dataset.field] ?? "";
      }
      if (state.finished) {
        window.location.reload();
        return;
      }
    } catch (error) {
      // Network hiccup: try again at the next tick.
    }
    window.setTimeout(poll, 2000);
  };
  window.setTimeout(poll, 2000);
}
