declare module 'virtual:program-artifacts' {
  /** The program's `.meta.txt`, `0x`-prefixed. */
  export const metaHex: `0x${string}`;
  /** The program's limits and the texts of the errors a client can foresee. */
  export const rules: {
    limits: {
      maxTitleLen: number;
      maxDescriptionLen: number;
      maxLinkLen: number;
      maxNameLen: number;
      maxStreamDurationMs: number;
      maxScheduleAheadMs: number;
      maxStreamsPerBroadcaster: number;
      maxPageLen: number;
      retentionMs: number;
      /** The least value a tip carries, in the chain's smallest unit. */
      minTip: number;
      maxTipMessageLen: number;
    };
    errors: {
      emptyTitle: string;
      titleTooLong: string;
      descriptionTooLong: string;
      imgLinkTooLong: string;
      nameTooLong: string;
      surnameTooLong: string;
      endNotAfterStart: string;
      endInPast: string;
      streamTooLong: string;
      startTooFarAhead: string;
      tooManyStreams: string;
      notRegistered: string;
      ownChannel: string;
      alreadyInRole: string;
      noChannelRole: string;
      tipMessageTooLong: string;
      tipWithoutValue: string;
      tipTooSmall: string;
      tipOwnStream: string;
    };
  };
}
