/**
 * Thrown inside the importer when one node, input or initializer cannot be imported; the graph
 * importer turns it into an issue and goes on, so that every problem is reported at once.
 */
export class ImportFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFailure';
  }
}
