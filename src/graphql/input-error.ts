import { type DocumentNode, type GraphQLError, Kind, parse, type Source, type ValueNode, visit } from 'graphql';

export interface InputProblem {
  /** The argument or input field at fault; `query` when the document itself is. */
  field: string;
  /** What is wrong with it; a variable's other fields (a password, say) are not echoed back. */
  message: string;
}

const NAME = '[_A-Za-z][_0-9A-Za-z]*';

/** The messages in which graphql-js names the field or argument itself. */
const NAMED_IN_MESSAGE = [
  new RegExp(`^Field "(?:${NAME}\\.)?(${NAME})" of required type`),
  new RegExp(`^Field "(${NAME})" is not defined by type`),
  new RegExp(`^Field "${NAME}" argument "(${NAME})" of type`),
  new RegExp(`^Unknown argument "(${NAME})"`),
];

/** `Variable "$input" got invalid value <the value> at "input.username"; <reason>`. */
const INVALID_VARIABLE = new RegExp(`^Variable "\\$(${NAME})" got invalid value `);
const PATH_AT_END = / at "([^"]*)"$/;

/** Several errors of one request share its Source: parse it again once, not once per error. */
const documents = new WeakMap<Source, DocumentNode | null>();

function documentOf(source: Source): DocumentNode | null {
  if (!documents.has(source)) {
    let document: DocumentNode | null = null;
    try {
      document = parse(source.body);
    } catch {
      // A syntax error has no field to name.
    }
    documents.set(source, document);
  }
  return documents.get(source) ?? null;
}

function namedInMessage(message: string): string | undefined {
  for (const pattern of NAMED_IN_MESSAGE) {
    const name = pattern.exec(message)?.[1];
    if (name) return name;
  }
  return undefined;
}

/** `input.tags[2].name` → `name`. */
function leafOfPath(path: string): string | undefined {
  return (
    path
      .replace(/\[\d+\]/g, '')
      .split('.')
      .pop() || undefined
  );
}

/**
 * The argument or input field whose value starts where graphql-js points (a literal of the wrong
 * type), or the one a variable defined there is passed to (a variable of the wrong type).
 */
function fieldAtPosition(error: GraphQLError): string | undefined {
  const position = error.positions?.[0];
  const document = error.source && documentOf(error.source);
  if (position === undefined || !document) return undefined;
  let variable: string | undefined;
  const fields: Array<{ name: string; value: ValueNode }> = [];
  visit(document, {
    VariableDefinition(node) {
      if (node.loc?.start === position) variable = node.variable.name.value;
    },
    Argument(node) {
      fields.push({ name: node.name.value, value: node.value });
    },
    ObjectField(node) {
      fields.push({ name: node.name.value, value: node.value });
    },
  });
  const hit = fields.find(({ value }) =>
    variable === undefined
      ? value.loc?.start === position
      : value.kind === Kind.VARIABLE && value.name.value === variable,
  );
  return hit?.name ?? variable;
}

/**
 * Names the field a GraphQL-level input error (a parse, validation or variable error) is about,
 * for `extensions.fieldErrors`.
 */
export function describeInputError(error: GraphQLError): InputProblem {
  const reason = error.originalError?.message;
  const variable = INVALID_VARIABLE.exec(error.message)?.[1];
  if (variable && reason && error.message.endsWith(`; ${reason}`)) {
    const path = PATH_AT_END.exec(error.message.slice(0, -reason.length - 2))?.[1];
    const field = namedInMessage(reason) ?? (path && leafOfPath(path)) ?? fieldAtPosition(error) ?? variable;
    const where = path ? ` at "${path}"` : '';
    return { field, message: `Variable "$${variable}" got an invalid value${where}: ${reason}` };
  }
  return { field: namedInMessage(error.message) ?? fieldAtPosition(error) ?? 'query', message: error.message };
}
