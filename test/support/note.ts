/** Prints a figure or a finding in the test output: measurements, and what a skip left out and why. */
export function note(text: string): void {
  // eslint-disable-next-line no-console
  console.log(text);
}
