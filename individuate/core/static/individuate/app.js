// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // Phones: fold the main navigation behind a menu button (the crisis link stays out).
  const menuButton = document.querySelector(".menu-button");
  const siteNav = document.getElementById("site-menu");
  if (menuButton && siteNav) {
    document.documentElement.classList.add("js-nav");
    menuButton.hidden = false;
    const setOpen = (open) => {
      menuButton.setAttribute("aria-expanded", String(open));
      siteNav.classList.toggle("is-open", open);
    };
    menuButton.addEventListener("click", () => {
      setOpen(menuButton.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && siteNav.classList.contains("is-open")) {
        setOpen(false);
        menuButton.focus();
      }
    });
  }

  // Sign-up: record the browser's time zone so times show in the person's own zone.
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  document.querySelectorAll("input[type=hidden][name=time_zone]").forEach((input) => {
    if (zone && (!input.value || input.value === "UTC")) input.value = zone;
  });

  // Wide tables: when one is wider than the screen, say so and let the keyboard scroll it.
  const markWideTables = () => {
    document.querySelectorAll(".table-wrap").forEach((wrap) => {
      const wide = wrap.scrollWidth > wrap.clientWidth + 1;
      wrap.classList.toggle("is-wide", wide);
      let hint = wrap.previousElementSibling;
      if (!hint || !hint.classList.contains("table-hint")) hint = null;
      if (wide && !hint) {
        hint = document.createElement("p");
        hint.className = "table-hint small muted";
        hint.textContent = "The table is wider than the screen: swipe sideways to see all of it.";
        wrap.before(hint);
        wrap.tabIndex = 0;
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", "Table, scrolls sideways");
      }
      if (hint) hint.hidden = !wide;
    });
  };
  markWideTables();
  window.addEventListener("resize", markWideTables);

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
