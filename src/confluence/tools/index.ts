/**
 * The registry of tool implementations by slug. Effects, names and schemas come from the catalogue
 * (src/toolkit/catalogue.ts), which stays authoritative; this map only says which function runs each slug.
 */
import * as blog from './blogposts.ts';
import * as props from './content-properties.ts';
import * as labels from './labels.ts';
import * as misc from './misc.ts';
import * as pages from './pages.ts';
import * as search from './search.ts';
import * as spaceProps from './space-properties.ts';
import * as spaces from './spaces.ts';
import type { ToolFn } from './types.ts';
import * as users from './users.ts';

/** Implementation of every `CONFLUENCE_*` slug. */
export const toolImplementations: Readonly<Record<string, ToolFn>> = {
  CONFLUENCE_ADD_CONTENT_LABEL: labels.addContentLabel,
  CONFLUENCE_CONFLUENCE_GET_SPACE_BY_ID: spaces.getSpaceById,
  CONFLUENCE_CREATE_BLOGPOST: blog.createBlogpost,
  CONFLUENCE_CREATE_BLOGPOST_PROPERTY: props.createBlogpostProperty,
  CONFLUENCE_CREATE_CONTENT_PROPERTY_FOR_WHITEBOARD: props.createWhiteboardProperty,
  CONFLUENCE_CREATE_PAGE: pages.createPage,
  CONFLUENCE_CREATE_PAGE_PROPERTY: props.createPageProperty,
  CONFLUENCE_CREATE_PRIVATE_SPACE: spaces.createPrivateSpace,
  CONFLUENCE_CREATE_SPACE: spaces.createSpace,
  CONFLUENCE_CREATE_SPACE_PROPERTY: spaceProps.createSpaceProperty,
  CONFLUENCE_CREATE_WHITEBOARD: misc.createWhiteboard,
  CONFLUENCE_DELETE_BLOGPOST_PROPERTY: props.deleteBlogpostProperty,
  CONFLUENCE_DELETE_CONTENT_PROPERTY_FOR_PAGE_BY_ID: props.deletePagePropertyById,
  CONFLUENCE_DELETE_CONTENT_PROPERTY_FOR_WHITEBOARD_BY_ID: props.deleteWhiteboardPropertyById,
  CONFLUENCE_DELETE_PAGE: pages.deletePage,
  CONFLUENCE_DELETE_SPACE: spaces.deleteSpace,
  CONFLUENCE_DELETE_SPACE_PROPERTY: spaceProps.deleteSpaceProperty,
  CONFLUENCE_GET_ATTACHMENT_LABELS: labels.getAttachmentLabels,
  CONFLUENCE_GET_ATTACHMENTS: misc.getAttachments,
  CONFLUENCE_GET_AUDIT_LOGS: misc.getAuditLogs,
  CONFLUENCE_GET_BLOGPOST_BY_ID: blog.getBlogpostById,
  CONFLUENCE_GET_BLOGPOST_LABELS: labels.getBlogpostLabels,
  CONFLUENCE_GET_BLOGPOST_LIKE_COUNT: blog.getBlogpostLikeCount,
  CONFLUENCE_GET_BLOGPOST_OPERATIONS: blog.getBlogpostOperations,
  CONFLUENCE_GET_BLOGPOSTS: blog.getBlogposts,
  CONFLUENCE_GET_BLOG_POSTS: blog.getBlogPosts,
  CONFLUENCE_GET_BLOG_POSTS_FOR_LABEL: blog.getBlogPostsForLabel,
  CONFLUENCE_GET_BLOGPOST_VERSION_DETAILS: blog.getBlogpostVersionDetails,
  CONFLUENCE_GET_BLOGPOST_VERSIONS: blog.getBlogpostVersions,
  CONFLUENCE_GET_CHILD_PAGES: pages.getChildPages,
  CONFLUENCE_GET_CONTENT_PROPERTIES_FOR_BLOG_POST: props.getContentPropertiesForBlogPost,
  CONFLUENCE_GET_CONTENT_PROPERTIES_FOR_PAGE: props.getContentPropertiesForPage,
  CONFLUENCE_GET_CONTENT_RESTRICTIONS: misc.getContentRestrictions,
  CONFLUENCE_GET_CURRENT_USER: users.getCurrentUser,
  CONFLUENCE_GET_INLINE_COMMENTS_FOR_BLOG_POST: blog.getInlineCommentsForBlogPost,
  CONFLUENCE_GET_LABELS: labels.getLabels,
  CONFLUENCE_GET_LABELS_FOR_PAGE: labels.getLabelsForPage,
  CONFLUENCE_GET_LABELS_FOR_SPACE: labels.getLabelsForSpace,
  CONFLUENCE_GET_LABELS_FOR_SPACE_CONTENT: labels.getLabelsForSpaceContent,
  CONFLUENCE_GET_PAGE_ANCESTORS: pages.getPageAncestors,
  CONFLUENCE_GET_PAGE_BY_ID: pages.getPageById,
  CONFLUENCE_GET_PAGE_LIKE_COUNT: pages.getPageLikeCount,
  CONFLUENCE_GET_PAGES: pages.getPages,
  CONFLUENCE_GET_PAGE_VERSIONS: pages.getPageVersions,
  CONFLUENCE_GET_SPACE_BY_ID: spaces.getSpaceById,
  CONFLUENCE_GET_SPACE_CONTENTS: spaces.getSpaceContents,
  CONFLUENCE_GET_SPACE_PROPERTIES: spaceProps.getSpaceProperties,
  CONFLUENCE_GET_SPACES: spaces.getSpaces,
  CONFLUENCE_GET_USER_ANONYMOUS: users.getUserAnonymous,
  CONFLUENCE_SEARCH_CONTENT: search.searchContent,
  CONFLUENCE_SEARCH_USERS: users.searchUsers,
  CONFLUENCE_UPDATE_BLOGPOST: blog.updateBlogpost,
  CONFLUENCE_UPDATE_BLOGPOST_PROPERTY: props.updateBlogpostProperty,
  CONFLUENCE_UPDATE_CONTENT_PROPERTY_FOR_PAGE_BY_ID: props.updatePagePropertyById,
  CONFLUENCE_UPDATE_CONTENT_PROPERTY_FOR_WHITEBOARD_BY_ID: props.updateWhiteboardPropertyById,
  CONFLUENCE_UPDATE_PAGE: pages.updatePage,
  CONFLUENCE_UPDATE_SPACE_PROPERTY: spaceProps.updateSpaceProperty,
};
