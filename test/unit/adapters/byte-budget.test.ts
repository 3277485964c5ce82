import { expect } from 'chai';
import { ByteBudget } from '../../../src/adapters/rpc/byte-budget.js';

describe('ByteBudget', () => {
  it('is over when its own limit or its parent’s is passed, and under again once bytes are given back', () => {
    const all = new ByteBudget(100);
    const one = new ByteBudget(60, all);
    const other = new ByteBudget(60, all);
    expect(one.change(60)).to.equal(true);
    expect(one.change(1), 'over its own limit').to.equal(false);
    expect(one.change(-1)).to.equal(true);
    expect(other.change(41), 'within its own, over the parent’s').to.equal(false);
    expect(one.change(-60)).to.equal(true);
    expect(other.change(0), 'the parent has room again').to.equal(true);
  });
});
