/**
 * The `math.*` components. Output names (`a+b`, ...) and the spelling of
 * `math.Substraction` are those of saved flows.
 *
 * @module
 */

import type { ComponentDefinition } from "../engine/types.ts";
import { Float } from "../engine/values.ts";
import { builtin } from "./_define.ts";

const OPERANDS = [
  { name: "a", type: "float", description: "First operand." },
  { name: "b", type: "float", description: "Second operand." },
] as const;

function operation(
  symbol: string,
  verb: string,
  compute: (a: number, b: number) => number,
): ComponentDefinition {
  return builtin({
    description: `Sends ${verb}.`,
    inputs: OPERANDS,
    outputs: [{ name: `a${symbol}b`, type: "float", description: `a ${symbol} b.` }],
    run: (inputs) => new Float(compute((inputs.a as Float).value, (inputs.b as Float).value)),
  });
}

/** `math.Addition`: sends `a+b`. */
export const Addition: ComponentDefinition = operation("+", "a + b", (a, b) => a + b);
/** `math.Substraction`: sends `a-b`. */
export const Substraction: ComponentDefinition = operation("-", "a - b", (a, b) => a - b);
/** `math.Multiplication`: sends `a*b`. */
export const Multiplication: ComponentDefinition = operation("*", "a × b", (a, b) => a * b);
/** `math.Division`: sends `a/b`; dividing by zero is an error of the node. */
export const Division: ComponentDefinition = operation("/", "a ÷ b", (a, b) => {
  if (b === 0) throw new Error(`division by zero: input 'b' is 0.0 (a is ${new Float(a)})`);
  return a / b;
});
