import { BranchIcon, GraduateIcon, IdeaIcon } from '../components/icons';
import { useDocumentTitle } from '../lib/useDocumentTitle';

const DECK = [
  {
    icon: <IdeaIcon />,
    title: 'Propose an idea',
    text: 'Start with a title and a one-line pitch. Your idea waits in the catalog, in plain sight, until it is taken in.',
  },
  {
    icon: <BranchIcon />,
    title: 'Write it together',
    text: 'Every change happens on its own branch with a live chat beside it, so the discussion stays next to the text it is about.',
  },
  {
    icon: <GraduateIcon />,
    title: 'Graduate to an RFC',
    text: 'When the draft is ready it becomes an RFC with its own repository, carrying its whole history along.',
  },
];

export function LandingScreen() {
  useDocumentTitle(null);
  return (
    <div class="landing">
      <section class="landing__hero">
        <h1 tabIndex={-1}>RFC app</h1>
        <p class="landing__pitch">
          Where a community turns rough ideas into finished RFCs, writing side by side on top of git.
        </p>
        <div class="landing__actions">
          <a href="/signin" class="button button--primary button--large">
            Sign in
          </a>
          <a href="/catalog" class="button button--large">
            Browse the catalog
          </a>
        </div>
      </section>
      <section class="landing__deck" aria-labelledby="deck-heading">
        <h2 id="deck-heading" class="visually-hidden">
          What it is for
        </h2>
        <ol class="deck">
          {DECK.map((item, i) => (
            <li key={item.title} class="deck__item">
              <span class="deck__step" aria-hidden="true">
                {i + 1}
              </span>
              <h3 class="deck__title">
                <span class="deck__icon" aria-hidden="true">
                  {item.icon}
                </span>
                {item.title}
              </h3>
              <p>{item.text}</p>
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
