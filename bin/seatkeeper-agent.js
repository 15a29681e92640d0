#!/usr/bin/env node
import { createRequire } from 'node:module';
import { builtEntry } from './built.js';

createRequire(import.meta.url)(builtEntry('agent.cjs', 'seatkeeper-agent'));
