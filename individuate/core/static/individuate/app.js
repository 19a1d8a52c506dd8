// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // Sign-up: record the browser's time zone so times show in the person's own zone.
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  document.querySelectorAll("input[type=hidden][name=time_zone]").forEach((input) => {
    if (zone && (!input.value || input.value === "UTC")) input.value = zone;
  });

  // Sliders: show the chosen number beside each one.
  document.querySelectorAll("input[type=range]").forEach((input) => {
    const output = document.querySelector(`output[for="${input.id}"]`);
    if (!output) return;
    const show = () => {
      output.textContent = input.value;
    };
    input.addEventListener("input", show);
    show();
  });

  // Copy buttons (boundary scripts): the person copies, adapts and sends it themselves.
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const source = document.querySelector(button.dataset.copy);
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.textContent.trim()).then(() => {
      button.textContent = "Copied";
    });
  });
});
