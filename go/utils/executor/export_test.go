// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package executor

// SetRemembered sets how many ended attempts a server remembers, for a
// test; it returns the previous number.
func SetRemembered(n int) int {
	old := remembered
	remembered = n
	return old
}
