#!/usr/bin/env node
import { createRequire } from 'node:module';
import { builtEntry } from './built.js';

createRequire(import.meta.url)(builtEntry('seatctl.cjs', 'seatctl'));
