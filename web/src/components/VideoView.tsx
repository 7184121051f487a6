// A video element showing a live MediaStream, with words in its place when there is
// none, and a Play button when the browser will not start it by itself.
import { useEffect, useRef, useState } from 'react';

export function VideoView({
  media,
  label,
  empty,
  muted = false,
}: {
  media: MediaStream | null;
  label: string;
  /** What the frame says while there is nothing to show. */
  empty: string;
  muted?: boolean;
}) {
  const ref = useRef<HTMLVideoElement>(null);
  const [blocked, setBlocked] = useState(false);
  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    video.srcObject = media;
    if (media)
      video.play().then(
        () => setBlocked(false),
        () => setBlocked(true),
      );
  }, [media]);
  return (
    <div className="video-frame">
      <video
        ref={ref}
        aria-label={label}
        autoPlay
        playsInline
        muted={muted}
        controls={!muted && media !== null}
      />
      {!media && <p className="video-empty">{empty}</p>}
      {media && blocked && (
        <button
          type="button"
          className="button primary video-play"
          onClick={() => void ref.current?.play().then(() => setBlocked(false))}
        >
          Play
        </button>
      )}
    </div>
  );
}
