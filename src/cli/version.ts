/** The version `rollgate --version` prints and the server reports. */
export const VERSION = '0.1.0';
