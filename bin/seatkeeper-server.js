#!/usr/bin/env node
import { pathToFileURL } from 'node:url';
import { builtEntry } from './built.js';

await import(pathToFileURL(builtEntry('server.mjs', 'seatkeeper-server')).href);
