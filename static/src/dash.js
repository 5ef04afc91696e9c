// The DASH checklist's running score on the incident form. As answers are chosen it counts the
// "yes" answers, finds the level by the partnership's bands (the page's data attributes) and says
// both in the live region, in the words the server uses when it draws the page.
const LEVELS = ["standard", "medium", "high"];

function levelOf(score, mediumFrom, highFrom) {
  if (score >= highFrom) {
    return "high";
  }
  if (score >= mediumFrom) {
    return "medium";
  }
  return "standard";
}

function scoreText(root) {
  const questions = root.querySelector("[data-dash-questions]");
  const score = questions.querySelectorAll('input[type="radio"][value="yes"]:checked').length;
  const level = levelOf(score, Number(root.dataset.mediumFrom), Number(root.dataset.highFrom));
  const text = `Score ${score} of ${root.dataset.total}: ${level} risk`;
  const judgement = root.querySelector('input[name="judgement_level"]:checked');
  const judged = judgement ? judgement.value : "";
  if (!LEVELS.includes(judged) || judged === level) {
    return text;
  }
  if (LEVELS.indexOf(judged) > LEVELS.indexOf(level)) {
    return `${text}, raised to ${judged} risk by your professional judgement`;
  }
  return `${text}; your professional judgement cannot lower it`;
}

function setUpRunningScore(root) {
  const output = root.querySelector("[data-dash-score]");
  if (!output || !root.querySelector("[data-dash-questions]")) {
    return;
  }
  const update = () => {
    const text = scoreText(root);
    // Only a change is written, so the live region announces the score when it moves and not otherwise.
    if (output.textContent !== text) {
      output.textContent = text;
    }
  };
  root.addEventListener("change", update);
  root.classList.add("app-dash--live");
  update();
}

for (const root of document.querySelectorAll("[data-dash]")) {
  setUpRunningScore(root);
}
