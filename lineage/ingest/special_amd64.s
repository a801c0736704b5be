//go:build amd64 && !purego

#include "textflag.h"

// Each constant in all sixteen bytes, loaded rather than built per call.
DATA specialConsts<>+0x00(SB)/8, $0x2222222222222222 // '"'
DATA specialConsts<>+0x08(SB)/8, $0x2222222222222222
DATA specialConsts<>+0x10(SB)/8, $0x5c5c5c5c5c5c5c5c // '\\'
DATA specialConsts<>+0x18(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA specialConsts<>+0x20(SB)/8, $0x1f1f1f1f1f1f1f1f // the last control character
DATA specialConsts<>+0x28(SB)/8, $0x1f1f1f1f1f1f1f1f
GLOBL specialConsts<>(SB), RODATA|NOPTR, $48

// func specialByte(b []byte, start int) int
TEXT ·specialByte(SB), NOSPLIT, $0-40
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), BX
	MOVQ start+24(FP), AX
	MOVOU specialConsts<>+0x00(SB), X1 // '"' in every byte
	MOVOU specialConsts<>+0x10(SB), X2 // '\\'
	MOVOU specialConsts<>+0x20(SB), X3 // 0x1f

loop:
	LEAQ 16(AX), CX
	CMPQ CX, BX
	JA tail
	MOVOU (SI)(AX*1), X0
	MOVO X0, X4
	PCMPEQB X1, X4 // == '"'
	MOVO X0, X5
	PCMPEQB X2, X5 // == '\\'
	POR X5, X4
	MOVO X0, X5
	PMINUB X3, X5
	PCMPEQB X0, X5 // <= 0x1f
	POR X5, X4
	POR X0, X4 // the top bit: >= 0x80
	PMOVMSKB X4, DX
	TESTL DX, DX
	JNZ found
	MOVQ CX, AX
	JMP loop

found:
	BSFL DX, DX
	ADDQ DX, AX
	MOVQ AX, ret+32(FP)
	RET

tail:
	// Fewer than sixteen bytes remain: b[AX:BX].
	CMPQ AX, BX
	JAE none
	LEAQ (SI)(AX*1), R8
	MOVQ R8, R9
	ANDQ $4095, R9
	CMPQ R9, $4080
	JA bytewise // sixteen bytes from R8 would cross a page
	MOVOU (R8), X0
	MOVO X0, X4
	PCMPEQB X1, X4
	MOVO X0, X5
	PCMPEQB X2, X5
	POR X5, X4
	MOVO X0, X5
	PMINUB X3, X5
	PCMPEQB X0, X5
	POR X5, X4
	POR X0, X4
	PMOVMSKB X4, DX
	MOVQ BX, CX
	SUBQ AX, CX // bytes left, 1..15
	MOVL $1, R9
	SHLL CX, R9
	DECL R9
	ANDL R9, DX // drop the bytes past len(b)
	TESTL DX, DX
	JNZ found
	JMP none

bytewise:
	MOVBLZX (SI)(AX*1), DX
	CMPB DL, $0x22
	JEQ done
	CMPB DL, $0x5c
	JEQ done
	CMPB DL, $0x20
	JCS done // unsigned below: a control character
	CMPB DL, $0x80
	JCC done // unsigned at or above: non-ASCII
	INCQ AX
	CMPQ AX, BX
	JB bytewise

none:
	MOVQ BX, ret+32(FP)
	RET

done:
	MOVQ AX, ret+32(FP)
	RET
