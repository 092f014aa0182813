/**
 * Conversions from v2 REST records to the field shapes the toolkit's output schemas declare (an older toolkit
 * version with v1-style `version.by`, `when`, `author`, `type`). Records keep every v2 field and gain the ones the
 * schema requires; values v2 does not carry are null rather than invented.
 */

/** A v2 `Version`. */
export interface V2Version {
  number: number;
  createdAt?: string;
  message?: string | null;
  minorEdit?: boolean;
  authorId?: string;
}

/** A v2 page, blog post or whiteboard record (the fields used here). */
export interface V2Content {
  id: string;
  status?: string;
  title?: string;
  spaceId?: string;
  parentId?: string | null;
  authorId?: string;
  createdAt?: string;
  version?: V2Version;
  body?: { storage?: { representation?: string; value?: string } } & Record<string, unknown>;
  _links?: Record<string, string>;
  [key: string]: unknown;
}

/** A v2 content or space property. */
export interface V2Property {
  id: string;
  key: string;
  value: unknown;
  version?: V2Version;
  createdAt?: string;
  createdBy?: string;
  [key: string]: unknown;
}

/** A v1-style user reference built from an account id (display names only when known). */
export function userRef(accountId: string | null | undefined, displayName: string | null = null) {
  return {
    type: 'known',
    accountId: accountId ?? null,
    accountType: 'atlassian',
    displayName,
    publicName: displayName,
    username: null,
    profilePicture: null,
  };
}

/** A v1-style version (`by`, `when`, `number`, `message`, `minorEdit`) from a v2 version. */
export function v1Version(version: V2Version | undefined, fallbackWhen = '') {
  return {
    ...version,
    number: version?.number ?? 1,
    when: version?.createdAt ?? fallbackWhen,
    message: version?.message || null,
    minorEdit: version?.minorEdit ?? null,
    by: userRef(version?.authorId),
  };
}

/** A page/blog post record for create, update and get tools: v2 fields plus type, parentId, updatedAt, v1 version. */
export function contentRecord(record: V2Content, type: string) {
  return {
    ...record,
    type,
    parentId: record.parentId ?? null,
    body: record.body ?? {},
    _links: record._links ?? {},
    createdAt: record.createdAt ?? '',
    updatedAt: record.version?.createdAt ?? record.createdAt ?? '',
    version: v1Version(record.version, record.createdAt),
  };
}

/** The storage value of a v2 record's body ('' when the body was not returned). */
export function storageValue(record: V2Content): string {
  return record.body?.storage?.value ?? '';
}

/** A content property's v2 version, with the fields the schemas require made explicit. */
export function propertyVersion(version: V2Version | undefined) {
  return {
    ...version,
    number: version?.number ?? 1,
    createdAt: version?.createdAt ?? '',
    message: version?.message || null,
    minorEdit: version?.minorEdit ?? false,
    authorId: version?.authorId ?? null,
  };
}

/** The site link of a record's web UI path (`_links.base` + `_links.webui`), or '' when unknown. */
export function webUrl(record: V2Content, siteRoot: string): string {
  const webui = record._links?.webui;
  if (!webui) return '';
  return `${record._links?.base ?? `${siteRoot}/wiki`}${webui}`;
}
