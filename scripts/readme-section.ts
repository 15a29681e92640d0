// The README's generated parts live between `<!-- NAME:start -->` and `<!-- NAME:end -->`: the API
// reference (npm run docs) and the benchmark table (npm run bench:readme).

/** Replaces the section between the markers (which must be there, once) and leaves the rest as it was. */
export function replaceSection(readme: string, name: string, section: string): string {
  const START = `<!-- ${name}:start -->`;
  const END = `<!-- ${name}:end -->`;
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start || readme.indexOf(START, start + 1) >= 0 || readme.indexOf(END, end + 1) >= 0) {
    throw new Error(`the README needs exactly one ${START} … ${END} pair`);
  }
  // Sliced, not String.replace: a `$&` in the new text stays as it is.
  return readme.slice(0, start) + section + readme.slice(end + END.length);
}
