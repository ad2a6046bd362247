import { LocationGenerator, type LocationOptions } from '../../lib/location-generator.js';

export default class ClickhouseGenerator extends LocationGenerator {
  constructor(args: string[], options: LocationOptions) {
    super(args, options, 'existing-location');
  }

  async initializing() {
    this.ctx = await this.resolveContext({ requireExisting: true });
  }

  end() {
    this.printSummary();
  }
}
