import { type ClassType, Field, ObjectType } from 'type-graphql';
import type { Page } from '../../admin/cursor.js';

@ObjectType('PageInfo')
class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page.' })
  endCursor!: string | null;
}

/** A Relay connection of `Node`, named `<Name>Connection` with `<Name>Edge`s. */
export function Connection<Node extends object, Raw>(
  name: string,
  NodeType: ClassType<Node>,
  from: (raw: Raw) => Node,
) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String)
    cursor!: string;

    @Field(() => NodeType)
    node!: Node;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionType {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    static from(page: Page<Raw>): ConnectionType {
      return Object.assign(new ConnectionType(), {
        edges: page.edges.map(({ cursor, node }) => Object.assign(new Edge(), { cursor, node: from(node) })),
        pageInfo: Object.assign(new PageInfo(), { hasNextPage: page.hasNextPage, endCursor: page.endCursor }),
      });
    }
  }
  return ConnectionType;
}
