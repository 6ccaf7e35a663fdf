from js import document

document.documentElement.dataset.ready = ""
