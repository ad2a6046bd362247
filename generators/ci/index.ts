import { LocationGenerator, type LocationOptions } from '../../lib/location-generator.js';

export default class CiGenerator extends LocationGenerator {
  constructor(args: string[], options: LocationOptions) {
    super(args, options, 'new-location');
  }

  async initializing() {
    this.ctx = await this.resolveContext({ requireExisting: false });
  }

  end() {
    this.printSummary();
  }
}
