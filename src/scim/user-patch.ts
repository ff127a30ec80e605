// PATCH /Users/{id} (RFC 7644 §3.5.2): validate the PatchOp message, absorb Entra ID's deviations, then let
// scim-patch apply the operations to a copy of the stored resource. The result is not validated here: the
// caller re-validates the whole resource (user-schema.ts) and compares it with the stored one, so a PATCH
// that changes nothing writes nothing. Every failure is a ScimError; no exception from scim-patch leaves.
//
// Invariants: the input resource is never mutated; ops are applied one at a time on fresh copies, so a
// failing op cannot leave a half-applied document; every path and every value key, at any depth, is decided
// by patch-names.ts before scim-patch sees it, so none can walk into a built-in object.
import { InvalidScimPatchOp, InvalidScimRemoveValue, NoTarget, ScimError as PatchLibraryError, scimPatch } from "scim-patch";
import type { ScimPatchOperation, ScimResource } from "scim-patch";
import { invalidPath, invalidSyntax, invalidValue, mutability, noTarget, tooMany } from "./scim-error.ts";
import { keysOf, pathProblem, valueKeyProblem } from "./patch-names.ts";
import { DOCUMENT_BUDGET, operationWork, shapeOf, WORK_BUDGET } from "./patch-work.ts";
import { ENTERPRISE_USER_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA } from "./uris.ts";
import {
  ADDRESS_FIELDS,
  ENTERPRISE_FIELDS,
  MANAGER_FIELDS,
  MANAGER_PATH,
  MULTI_VALUE_FIELDS,
  MULTI_VALUED,
  NAME_FIELDS,
  USER_ATTRIBUTES,
} from "./user-attributes.ts";

export const MAX_PATCH_OPERATIONS = 100;

type OpName = "add" | "replace" | "remove";
/** `wholeSchema`: the path is a schema URN, removed whole by us (scim-patch would misread the URN). */
type Operation = { op: OpName; path: string; value?: unknown; wholeSchema?: true };
/** Where a path came from: the operation's `path`, or a key of a path-less `value` (RFC 7644 §3.5.2.1). */
type PathSource = "path" | "value";

/**
 * Applies a PatchOp request body to a stored User resource and returns the patched copy.
 * Throws invalidSyntax/tooMany for a malformed message, and invalidPath/noTarget/invalidValue/mutability
 * for an operation that cannot be applied.
 */
export function applyUserPatch(resource: Record<string, unknown>, body: unknown): Record<string, unknown> {
  const rawOperations = readOperations(body);
  let current = JSON.parse(JSON.stringify(resource)) as Record<string, unknown>;
  let work = 0;
  rawOperations.forEach((raw, index) => {
    const shape = shapeOf(current);
    // The stored user is never refused for its own size (a leaver always leaves); what this PATCH built is.
    if (index > 0) checkDocument(shape.weight, index - 1);
    // Charged before anything of the operation runs (patch-work.ts): its remove-by-value and scim-patch's
    // own work both grow with the document's arrays times what the value holds.
    work += operationWork(shape.longestArray, isPlainObject(raw) ? member(raw, "value") : undefined);
    if (work > WORK_BUDGET) {
      throw tooMany(
        `Operations[${index}]: this PATCH asks for more work than one request may take (its values, times the values already in the user's lists). Send the change in smaller PATCH requests.`,
      );
    }
    for (const operation of normaliseOperation(raw, index, current)) {
      current = applyOperation(current, operation, index);
    }
  });
  if (rawOperations.length > 1) checkDocument(shapeOf(current).weight, rawOperations.length - 1);
  // Removing the last enterprise attribute leaves `{}` behind; an empty extension is an unassigned one.
  const extension = current[ENTERPRISE_USER_SCHEMA];
  if (isPlainObject(extension) && Object.keys(extension).length === 0 && !isSameResource(extension, resource[ENTERPRISE_USER_SCHEMA])) {
    delete current[ENTERPRISE_USER_SCHEMA];
  }
  return current;
}

function checkDocument(weight: number, index: number): void {
  if (weight <= DOCUMENT_BUDGET) return;
  throw tooMany(
    `Operations[${index}]: after this operation the user holds more values than one PATCH may build (nested lists that repeat a value into every item, or long strings copied into many items). Send the change in smaller PATCH requests.`,
  );
}

/** Deep equality of two JSON documents, ignoring key order; an undefined member counts as absent. */
export function isSameResource(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => isSameResource(x, b[i]));
  }
  const left = definedEntries(a);
  const right = new Map(definedEntries(b));
  return left.length === right.size && left.every(([k, v]) => right.has(k) && isSameResource(v, right.get(k)));
}

// RFC 7644 §3.5.2: "The body of each request MUST contain the "schemas" attribute with the URI value of
// "urn:ietf:params:scim:api:messages:2.0:PatchOp"." and "Operations" holds one or more operations.
function readOperations(body: unknown): unknown[] {
  if (!isPlainObject(body)) throw invalidSyntax("The PATCH body must be a JSON object with 'schemas' and 'Operations' (RFC 7644 §3.5.2).");
  const schemas = member(body, "schemas");
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === "string" && s.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase())) {
    throw invalidSyntax(`The PATCH body's 'schemas' must contain "${PATCH_OP_SCHEMA}" (RFC 7644 §3.5.2).`);
  }
  const operations = member(body, "Operations");
  if (!Array.isArray(operations) || operations.length === 0) {
    throw invalidSyntax("The PATCH body's 'Operations' must be a non-empty array of operations (RFC 7644 §3.5.2).");
  }
  if (operations.length > MAX_PATCH_OPERATIONS) {
    throw tooMany(`A PATCH may carry at most ${MAX_PATCH_OPERATIONS} operations; split the change into several requests.`);
  }
  return operations;
}

/** One operation as sent, as zero or more operations scim-patch applies the way the RFC (and Entra) mean. */
function normaliseOperation(raw: unknown, index: number, current: Record<string, unknown>): Operation[] {
  const at = `Operations[${index}]`;
  if (!isPlainObject(raw)) throw invalidSyntax(`${at} must be an object with 'op', and 'path' and/or 'value'.`);
  // Entra ID sends "Add", "Replace" and "Remove" capitalised; RFC 7644 §3.5.2 spells them in lower case.
  const opName = member(raw, "op");
  const op = typeof opName === "string" ? opName.toLowerCase() : undefined;
  if (op !== "add" && op !== "replace" && op !== "remove") {
    throw invalidSyntax(`${at}.op must be "add", "replace" or "remove" (RFC 7644 §3.5.2).`);
  }
  const rawPath = member(raw, "path");
  if (rawPath !== undefined && rawPath !== null && typeof rawPath !== "string") throw invalidPath(`${at}.path must be a string.`);
  const path = typeof rawPath === "string" && rawPath.trim() !== "" ? rawPath.trim() : undefined;
  const hasValue = member(raw, "value") !== undefined;
  const value = member(raw, "value");

  if (path === undefined) {
    // RFC 7644 §3.5.2.2: "If "path" is unspecified, the operation fails with HTTP status code 400 and a
    // "scimType" error code of "noTarget"."
    if (op === "remove") throw noTarget(`${at}: a "remove" operation needs a 'path' (RFC 7644 §3.5.2.2).`);
    // RFC 7644 §3.5.2.1: without a path, "the "value" parameter contains a set of attributes to be added".
    // Entra ID sends such values with dotted ("name.givenName") and URN-qualified keys; each key is a path.
    if (!isPlainObject(value)) throw invalidValue(`${at}: without a 'path', 'value' must be an object of attributes.`);
    return expandAttributes(value).flatMap(([key, v]) => pathOperation(op, key, "value", v, true, at, current));
  }
  if (op !== "remove" && !hasValue) {
    throw invalidValue(`${at}: an "${op}" operation must contain a 'value' (RFC 7644 §3.5.2.1, §3.5.2.3).`);
  }
  return pathOperation(op, path, "path", value, hasValue, at, current);
}

/** Path-less value keys, with a whole-schema key ("urn:...:enterprise:2.0:User": {...}) spread per attribute. */
function expandAttributes(value: Record<string, unknown>): [string, unknown][] {
  return Object.entries(value).flatMap(([key, v]): [string, unknown][] => {
    const schema = [USER_SCHEMA, ENTERPRISE_USER_SCHEMA].find((s) => s.toLowerCase() === key.toLowerCase());
    if (schema === undefined || !isPlainObject(v)) return [[key, v]];
    return Object.entries(v).map(([sub, subValue]): [string, unknown] => [`${schema}:${sub}`, subValue]);
  });
}

function pathOperation(
  op: OpName,
  rawPath: string,
  source: PathSource,
  rawValue: unknown,
  hasValue: boolean,
  at: string,
  current: Record<string, unknown>,
): Operation[] {
  checkPath(rawPath, source, at);
  checkValueKeys(rawValue, at);
  const path = canonicalPath(rawPath);
  const top = topAttribute(path);
  // An empty name ("" or a bare schema URN with its colon) is, to scim-patch, the whole document: a
  // path-less replace of {"": 5} turned the user into the number 5.
  if (top === "") {
    const problem = "names no attribute (it is empty, or a schema URN with nothing after it)";
    throw source === "path" ? invalidPath(`${at}: the path ${problem}.`) : invalidValue(`${at}: a key of 'value' ${problem}.`);
  }
  // RFC 7643 §3.1: "meta" is readOnly and "schemas" is ours to set; Entra ID never means to change them.
  if (top === "meta" || top === "schemas") return [];
  if (top === "id") {
    // RFC 7643 §3.1: "id" is assigned by the service provider and is readOnly.
    if (op !== "remove" && path === "id" && rawValue === current.id) return [];
    throw mutability(`${at}: 'id' is assigned by the service provider and cannot be changed (RFC 7643 §3.1).`);
  }
  if (path === ENTERPRISE_USER_SCHEMA || path === USER_SCHEMA) return wholeSchemaOperation(op, path, rawValue, at, current);
  if (op === "remove") return [removeOperation(path, rawValue, hasValue, current)];
  return [{ op, path, value: canonicalValue(path, rawValue) }];
}

/** A path naming a whole schema: scim-patch would misread the URN, so its attributes are addressed one by one. */
function wholeSchemaOperation(op: OpName, schema: string, value: unknown, at: string, current: Record<string, unknown>): Operation[] {
  if (schema === USER_SCHEMA) throw invalidPath(`${at}: name an attribute of the User, not its core schema.`);
  // Removed as one member, never as a path per stored key: stored keys are data the name rules never saw
  // (a stored "constructor.prototype.hasOwnProperty" made scim-patch delete Object.prototype.hasOwnProperty).
  if (op === "remove") return Object.hasOwn(current, schema) ? [{ op, path: schema, wholeSchema: true }] : [];
  if (!isPlainObject(value)) throw invalidValue(`${at}: the enterprise extension's value must be an object of its attributes.`);
  return Object.entries(value).map(([key, v]) => {
    checkPath(key, "value", at);
    const path = canonicalPath(`${schema}:${key}`);
    return { op, path, value: canonicalValue(path, v) };
  });
}

/**
 * RFC 7644 §3.5.2.2 defines no "value" for remove; Entra ID sends one anyway ("members"/"emails" with
 * `[{"value": ...}]`, or the old manager id). With a filter, the filter selects and the value is moot; on a
 * single-valued or complex attribute the attribute goes; on a multi-valued one the items matching each given
 * item (on the sub-attributes it names) go, and "If no other values remain after removal of the selected
 * values, the multi-valued attribute SHALL be considered unassigned."
 */
function removeOperation(path: string, value: unknown, hasValue: boolean, current: Record<string, unknown>): Operation {
  if (!hasValue || path.includes("[")) return { op: "remove", path };
  const target = readPath(current, path);
  if (!Array.isArray(target)) return { op: "remove", path };
  const unwanted = (Array.isArray(value) ? value : [value]).map((item) => canonicalValue(path, [item])).flat();
  const remaining = target.filter((item) => !unwanted.some((u) => matchesItem(item, u)));
  return remaining.length === 0 ? { op: "remove", path } : { op: "replace", path, value: remaining };
}

function matchesItem(item: unknown, unwanted: unknown): boolean {
  if (!isPlainObject(unwanted) || !isPlainObject(item)) return isSameResource(item, unwanted);
  return Object.entries(unwanted).every(([k, v]) => isSameResource(item[k], v));
}

/** Values as RFC 7643 types them, where Entra ID sends something else. */
function canonicalValue(path: string, value: unknown): unknown {
  // Entra ID (without the aadOptscim062020 flag) sends booleans as the strings "True"/"False".
  if (path === "active" && typeof value === "string" && /^(?:true|false)$/i.test(value.trim())) {
    return value.trim().toLowerCase() === "true";
  }
  // Entra ID sends the manager as the manager's id string; RFC 7643 §4.3 makes it a complex attribute.
  if (path === MANAGER_PATH) return typeof value === "string" ? { value } : renameKeys(value, MANAGER_FIELDS);
  if (path === "name") return renameKeys(value, NAME_FIELDS);
  if (MULTI_VALUED.has(path) && value !== null) {
    const fields = path === "addresses" ? ADDRESS_FIELDS : MULTI_VALUE_FIELDS;
    // RFC 7644 §3.5.2.3: "If the target location is a multi-valued attribute and no filter is specified, the
    // attribute and all values are replaced." A single object is one value, not a template for every value.
    const items = Array.isArray(value) ? value : [value];
    return items.map((item) => renameKeys(item, fields));
  }
  return value;
}

/**
 * The path with the core-schema URN dropped and known attribute names in canonical spelling
 * (RFC 7643 §2.1: "Attribute names are case insensitive"): "username" -> "userName",
 * "name.givenname" -> "name.givenName", "EMAILS[Type eq "work"].Value" -> `emails[type eq "work"].value`.
 */
function canonicalPath(path: string): string {
  const lower = path.toLowerCase();
  const core = `${USER_SCHEMA.toLowerCase()}:`;
  const enterprise = `${ENTERPRISE_USER_SCHEMA.toLowerCase()}:`;
  if (lower === USER_SCHEMA.toLowerCase()) return USER_SCHEMA;
  if (lower === ENTERPRISE_USER_SCHEMA.toLowerCase()) return ENTERPRISE_USER_SCHEMA;
  if (lower.startsWith(core)) return canonicalCorePath(path.slice(core.length));
  if (lower.startsWith(enterprise)) {
    const [attribute = "", sub] = splitOnce(path.slice(enterprise.length), ".");
    const name = ENTERPRISE_FIELDS.get(attribute.toLowerCase()) ?? attribute;
    const subName = sub === undefined ? "" : `.${name === "manager" ? (MANAGER_FIELDS.get(sub.toLowerCase()) ?? sub) : sub}`;
    return `${ENTERPRISE_USER_SCHEMA}:${name}${subName}`;
  }
  // Another extension's attribute: stored under its URN as sent.
  if (lower.startsWith("urn:")) return path;
  return canonicalCorePath(path);
}

function canonicalCorePath(path: string): string {
  const match = /^([^.[]+)(\[.*\])?(?:\.([^.[\]]+))?$/.exec(path);
  if (!match) return path;
  const [, attribute = "", filter, sub] = match;
  const name = USER_ATTRIBUTES.get(attribute.toLowerCase()) ?? attribute;
  const fields = name === "name" ? NAME_FIELDS : name === "addresses" ? ADDRESS_FIELDS : MULTI_VALUED.has(name) ? MULTI_VALUE_FIELDS : undefined;
  const canonical = (field: string) => fields?.get(field.toLowerCase()) ?? field;
  // Only the simple `[attr eq ...]` Entra ID sends is respelled: scim-patch stores that attribute name
  // verbatim when it creates the missing item.
  const filterText = filter?.replace(/^\[\s*([\w$]+)(?=\s)/, (_, field: string) => `[${canonical(field)}`) ?? "";
  return `${name}${filterText}${sub === undefined ? "" : `.${canonical(sub)}`}`;
}

function topAttribute(path: string): string {
  if (path.startsWith(`${ENTERPRISE_USER_SCHEMA}:`)) return ENTERPRISE_USER_SCHEMA;
  return /^[^.[]*/.exec(path)?.[0] ?? path;
}

/** The value at a filter-free path, as scim-patch will resolve it (schema URN, then dotted names). */
function readPath(resource: Record<string, unknown>, path: string): unknown {
  const colon = path.lastIndexOf(":");
  const segments = colon < 0 ? path.split(".") : [path.slice(0, colon), ...path.slice(colon + 1).split(".")];
  let node: unknown = resource;
  for (const segment of segments) {
    if (!isPlainObject(node) || !Object.hasOwn(node, segment)) return undefined;
    node = node[segment];
  }
  return node;
}

function applyOperation(resource: Record<string, unknown>, operation: Operation, index: number): Record<string, unknown> {
  if (operation.wholeSchema) return Object.fromEntries(Object.entries(resource).filter(([key]) => key !== operation.path));
  try {
    return scimPatch(resource as unknown as ScimResource, [operation as ScimPatchOperation], {
      mutateDocument: false,
      treatMissingAsAdd: true,
    }) as unknown as Record<string, unknown>;
  } catch (error) {
    // RFC 7644 §3.5.2.2: removing an attribute that is not there (no item matches the filter, or the list
    // itself is absent) leaves nothing to do; scim-patch reports it as a failed filter.
    if (operation.op === "remove" && isFilterMiss(error)) return JSON.parse(JSON.stringify(resource)) as Record<string, unknown>;
    throw translateError(error, operation, index);
  }
}

/** scim-patch's FilterOnEmptyArray / FilterArrayTargetNotFound (not exported) carry the filter they missed. */
function isFilterMiss(error: unknown): boolean {
  return error instanceof NoTarget || (error instanceof InvalidScimPatchOp && "valuePath" in error);
}

/** scim-patch's messages quote paths and filters (which hold e-mails and numbers): describe, never forward. */
function translateError(error: unknown, operation: Operation, index: number) {
  const at = `Operations[${index}] (${operation.op} ${describePath(operation.path)})`;
  if (isFilterMiss(error)) {
    // RFC 7644 §3.5.2.3: "If the target location is a multi-valued attribute for which a value selection
    // filter ("valuePath") has been supplied and no record match was made, the service provider SHALL
    // indicate failure by returning HTTP status code 400 and a "scimType" error code of "noTarget"."
    return noTarget(`${at}: the value filter matches no existing value, so there is nothing to ${operation.op}.`);
  }
  if (error instanceof InvalidScimRemoveValue) {
    return invalidValue(`${at}: a value given with "remove" must list items of a multi-valued attribute.`);
  }
  if (error instanceof PatchLibraryError && /Invalid patch query/.test(error.message)) {
    return invalidValue(`${at}: the attribute is complex, so the value must be an object of its sub-attributes.`);
  }
  return invalidPath(`${at}: the path is not a valid attribute path for this User (RFC 7644 §3.5.2).`);
}

/** The path with filter contents elided: attribute names are schema vocabulary, filter values are user data. */
function describePath(path: string): string {
  return path.replace(/\[.*\]/, "[...]");
}

/** Refuses a path (or a path-less value key) that could walk out of the resource or take long to split. */
function checkPath(path: string, source: PathSource, at: string): void {
  const problem = pathProblem(path);
  if (problem === undefined) return;
  if (source === "path") throw invalidPath(`${at}: the path ${problem}.`);
  throw invalidValue(`${at}: a key of 'value' ${problem}.`);
}

/** Refuses a value holding, at any depth, a key that scim-patch would walk into a built-in object. */
function checkValueKeys(value: unknown, at: string): void {
  for (const key of keysOf(value)) {
    const problem = valueKeyProblem(key);
    if (problem !== undefined) throw invalidValue(`${at}: a key inside 'value' ${problem}.`);
  }
}

function renameKeys(value: unknown, names: ReadonlyMap<string, string>): unknown {
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [names.get(k.toLowerCase()) ?? k, v]));
}

/** A member by case-insensitive name (RFC 7643 §2.1), preferring the exact spelling. */
function member(object: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(object, name)) return object[name];
  const key = Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
}

function definedEntries(object: object): [string, unknown][] {
  return Object.entries(object).filter(([, v]) => v !== undefined);
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
