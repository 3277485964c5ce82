/**
 * Bytes a group of holders may keep at once, inside a larger budget when it has a parent:
 * what every call on a connection holds of requests not yet whole, within what all
 * connections together may hold.
 */
export class ByteBudget {
  private used = 0;

  constructor(
    private readonly limit: number,
    private readonly parent?: ByteBudget,
  ) {}

  /** Takes `delta` bytes (gives them back when negative); false when this or a parent budget is now over. */
  change(delta: number): boolean {
    this.used += delta;
    const withinParent = this.parent === undefined || this.parent.change(delta);
    return withinParent && this.used <= this.limit;
  }
}
