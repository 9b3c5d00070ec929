/*
 * How deep a thread's stack is unwound when the user does not say: by
 * analyze from the core (--max-frames) and by capture live (--frames).
 * One number, so the frames and live_frames tables of one snapshot stop at
 * the same depth.
 */
#ifndef MEMSNAP_STACK_FRAMES_H
#define MEMSNAP_STACK_FRAMES_H

#define STACK_FRAMES_DEFAULT 256    /* eu-stack -n defaults to 256 too (elfutils src/stack.c) */

#endif
