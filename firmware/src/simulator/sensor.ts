/**
 * A plausible CX-Temp 2 (backend/src/modules/telemetry/device-models.ts: temperature -40..85 °C required,
 * humidity and battery 0..100 %): each sensor sits in a fridge or a room and drifts slowly around its set
 * point (a random walk pulled back towards it), and its battery drains. Values that wander without bound or
 * jump between readings would make the dashboard's charts useless for judging the platform.
 */

export interface CxTemp2Reading extends Record<string, number> {
  temperature: number;
  humidity: number;
  battery: number;
}

type Random = () => number;

export class SimulatedSensor {
  readonly #setPoint: number;
  #temperature: number;
  #humidity: number;
  #battery: number;
  readonly #random: Random;

  constructor(random: Random = Math.random) {
    this.#random = random;
    // A third are fridges (2–8 °C, the vaccine range), the rest rooms (19–24 °C).
    this.#setPoint = random() < 1 / 3 ? 3 + random() * 4 : 19 + random() * 5;
    this.#temperature = this.#setPoint + (random() - 0.5);
    this.#humidity = 35 + random() * 25;
    this.#battery = 60 + random() * 40;
  }

  /** The next reading: a small step, pulled a tenth of the way back towards the set point. */
  read(): CxTemp2Reading {
    const step = (scale: number) => (this.#random() - 0.5) * scale;
    this.#temperature += step(0.4) + (this.#setPoint - this.#temperature) * 0.1;
    this.#humidity = clamp(this.#humidity + step(1), 5, 95);
    this.#battery = clamp(this.#battery - this.#random() * 0.01, 0, 100);
    return {
      temperature: round(clamp(this.#temperature, -40, 85), 2),
      humidity: round(this.#humidity, 1),
      battery: round(this.#battery, 1),
    };
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
