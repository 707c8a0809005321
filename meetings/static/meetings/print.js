// „Drucken“ on the pages made for paper (attendance sheet, invitation): opens the
// browser's print dialog, where „Als PDF speichern“ makes the PDF.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
