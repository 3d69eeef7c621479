import { startBackground } from '../src/background/startBackground';

export default defineBackground({
  // Everything with side effects runs in main(): WXT imports this file in Node at build time.
  main: startBackground,
});
