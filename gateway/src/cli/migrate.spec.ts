import { parseMigrateArgs } from './migrate';

describe('npm run migrate arguments', () => {
  it.each([
    [[], { direction: 'up', steps: undefined }],
    [['down'], { direction: 'down', steps: undefined }],
    [['down', '--steps', '2'], { direction: 'down', steps: 2 }],
    [['up', '--steps=3'], { direction: 'up', steps: 3 }],
  ])('%j means %j', (args, expected) => {
    expect(parseMigrateArgs(args)).toEqual(expected);
  });

  it.each([
    [['sideways'], 'Unknown argument sideways'],
    [['down', '--steps'], "Option '--steps <value>' argument missing"],
    [['up', 'down'], 'Unknown argument down'],
    [['--force'], "Unknown option '--force'"],
    [['down', '--steps', '0'], '--steps needs a positive whole number, got 0'],
    [['--steps=1.5'], '--steps needs a positive whole number, got 1.5'],
  ])('%j is refused', (args, message) => {
    expect(() => parseMigrateArgs(args)).toThrow(message);
  });
});
