// Offline and install plumbing: registers the service worker, offers updates and installation, and
// shows whether the device is online. Plain JS, because it must work before (and without) Python.
(() => {
  "use strict";
  const $ = (selector) => document.querySelector(selector);
  const html = document.documentElement;

  // Whether the network is there. navigator.onLine says when it is surely gone, but after a reload
  // without a network some browsers (Chromium 150 among them) say "online" until something fails;
  // so a small request the service worker does not answer (a HEAD) asks the network itself, at
  // start and whenever the browser says the network is back. <html data-offline> is the answer
  // the whole page reads (app/assistant/engines/device.py too).
  const connection = $(".connection");
  function showConnection(online) {
    html.toggleAttribute("data-offline", !online);
    connection.textContent = online ? "Online" : "Offline";
    connection.title = online
      ? "Connected. Your list and questions stay on this device either way."
      : "No network. Your list works; the assistant works with a model already on this device.";
  }
  let probing = 0;
  async function checkConnection() {
    const attempt = ++probing;
    if (!navigator.onLine) return showConnection(false);
    let online = true;
    try {
      await fetch("./manifest.webmanifest", { method: "HEAD", cache: "no-store" });
    } catch {
      online = false; // no response at all: the network is not there
    }
    if (attempt === probing) showConnection(online);
  }
  addEventListener("online", checkConnection);
  addEventListener("offline", () => { probing++; showConnection(false); });
  showConnection(navigator.onLine);
  checkConnection();

  // Installation: Chromium fires beforeinstallprompt when the app meets its installability criteria.
  const installButton = $(".install");
  let installPrompt = null;
  addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    installPrompt = event;
    installButton.hidden = false;
  });
  installButton.addEventListener("click", async () => {
    if (!installPrompt) return;
    installPrompt.prompt();
    await installPrompt.userChoice;
    installPrompt = null;
    installButton.hidden = true;
  });
  addEventListener("appinstalled", () => (installButton.hidden = true));

  if (!("serviceWorker" in navigator)) return;
  const update = $(".update");
  function offerUpdate(worker) {
    update.hidden = false;
    update.querySelector("button").onclick = () => worker.postMessage({ type: "SKIP_WAITING" });
  }
  // While this page boots, the service worker's install (if one is running) pauses: "BOOTING" to the
  // installing worker now, "READY" once the app is ready, and the one that applies when an install
  // that begins meanwhile asks ("ARE_YOU_BOOTING"). sw.js says why and how ("Yielding").
  let booting = true;
  const tellInstalling = (type) => navigator.serviceWorker.getRegistration()
    .then((registration) => registration?.installing?.postMessage({ type }))
    .catch(() => {});
  navigator.serviceWorker.addEventListener("message", ({ data, source }) => {
    if (data?.type === "ARE_YOU_BOOTING") source?.postMessage({ type: booting ? "BOOTING" : "READY" });
  });
  navigator.serviceWorker.startMessages(); // an uncontrolled page gets them only once started
  tellInstalling("BOOTING");
  window.bootShell.whenReady(() => {
    booting = false;
    tellInstalling("READY");
  });

  const hadController = Boolean(navigator.serviceWorker.controller);
  // Registered once the app is ready (<html data-ready>, set when Python has taken over): installing
  // fetches and stores the whole site (~50 MB), which would otherwise compete with Pyodide's own
  // download and boot on a first visit, and an update check with every warm start.
  window.bootShell.whenReady(() => navigator.serviceWorker
    .register("./sw.js", { updateViaCache: "none" })
    .then((registration) => {
      if (registration.waiting && hadController) offerUpdate(registration.waiting);
      registration.addEventListener("updatefound", () => {
        // Null when the install has already finished by the time this runs (a reload straight after
        // the first visit registers while that visit's install may be ending).
        const worker = registration.installing;
        if (!worker) return;
        worker.addEventListener("statechange", () => {
          if (worker.state === "installed" && navigator.serviceWorker.controller) offerUpdate(worker);
        });
      });
      addEventListener("online", () => registration.update().catch(() => {}));
    })
    .catch((error) => console.warn("No service worker, so no offline use:", error.message)));
  // The new version took over (this tab's Reload, or another tab's): reload so every file is new.
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (hadController && !reloading) {
      reloading = true;
      location.reload();
    }
  });
})();
